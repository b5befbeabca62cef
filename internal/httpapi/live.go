package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"time"

	"bangfu/internal/auth"
	"bangfu/internal/live"
	"bangfu/internal/store"
	"bangfu/internal/viewer"

	gqltransport "github.com/99designs/gqlgen/graphql/handler/transport"
)

// Subscriptions run over WebSocket at GET /graphql (the graphql-ws
// protocols, gqlgen's transport over github.com/coder/websocket, which
// refuses cross-origin upgrades). A browser cannot set headers on a
// WebSocket, so the access token comes in connection_init; the connection
// lives at most as long as the token, and a sign-out, a suspended account
// or changed roles close it at the next session check.

// WebSocket close codes for refused connections (4000–4999 are the
// application's; graphql-ws clients treat 44xx as not to be retried
// blindly).
const (
	closeUnauthenticated = 4401
	closeUnavailable     = 1013 // "try again later"
)

// Timing of live connections.
const (
	// DefaultSessionCheck is how soon a sign-out or a role change reaches
	// an open connection.
	DefaultSessionCheck = 15 * time.Second
	// pingEvery: the server pings; a client that does not answer within
	// two intervals is disconnected.
	pingEvery = 20 * time.Second
	// initTimeout: a connection must authenticate this soon.
	initTimeout = 10 * time.Second
)

const sessionEnded = "the access token expired, or its sign-in ended or changed; reconnect with a fresh token"

// websocketTransport authenticates subscription connections.
func websocketTransport(a *auth.Service, log *slog.Logger, sessionCheck time.Duration) gqltransport.Websocket {
	return gqltransport.Websocket{
		InitTimeout:      initTimeout,
		PingPongInterval: pingEvery,
		// The older graphql-ws protocol has no pings of its own.
		KeepAlivePingInterval: pingEvery,
		InitFunc: func(ctx context.Context, p gqltransport.InitPayload) (context.Context, *gqltransport.InitPayload, error) {
			if a == nil {
				return gqltransport.WithWebsocketCloseCode(ctx, closeUnauthenticated), nil, errors.New("sign-in is not available")
			}
			token, ok := strings.CutPrefix(p.Authorization(), "Bearer ")
			if !ok || strings.TrimSpace(token) == "" {
				return gqltransport.WithWebsocketCloseCode(ctx, closeUnauthenticated), nil,
					errors.New(`UNAUTHENTICATED: send {"Authorization": "Bearer <access token>"} in connection_init`)
			}
			access, err := a.Tokens().Verify(strings.TrimSpace(token))
			if err != nil {
				return gqltransport.WithWebsocketCloseCode(ctx, closeUnauthenticated), nil, errors.New("UNAUTHENTICATED: " + err.Error())
			}
			v, err := lookUpViewer(ctx, a, access)
			switch {
			case errors.Is(err, auth.ErrNoSession):
				return gqltransport.WithWebsocketCloseCode(ctx, closeUnauthenticated), nil, errors.New("UNAUTHENTICATED: " + err.Error())
			case err != nil:
				log.WarnContext(ctx, "viewer lookup failed", "error", err.Error())
				return gqltransport.WithWebsocketCloseCode(ctx, closeUnavailable), nil,
					errors.New("UNAVAILABLE: the database is unavailable; retry shortly")
			}
			ctx = live.WithSlots(viewer.NewContext(ctx, v))
			// When ctx ends, gqlgen sends this reason and closes the socket.
			ctx = gqltransport.AppendCloseReason(ctx, sessionEnded)
			ctx, end := context.WithDeadline(ctx, access.Expires)
			go watchSession(ctx, end, sessionCheck, a, access, v, log)
			return ctx, nil, nil
		},
	}
}

func lookUpViewer(ctx context.Context, a *auth.Service, access auth.Access) (*viewer.Viewer, error) {
	var v *viewer.Viewer
	err := store.Within(ctx, viewerTimeout, func(ctx context.Context) error {
		var err error
		v, err = a.Viewer(ctx, access)
		return err
	})
	return v, err
}

// watchSession ends the connection (end) when its sign-in ends or the
// viewer's roles change; a database outage is not an ending.
func watchSession(ctx context.Context, end context.CancelFunc, every time.Duration, a *auth.Service, access auth.Access, was *viewer.Viewer, log *slog.Logger) {
	defer end()
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		v, err := lookUpViewer(ctx, a, access)
		switch {
		case errors.Is(err, auth.ErrNoSession):
			log.InfoContext(ctx, "subscription closed: sign-in ended", "user_id", access.UserID)
			return
		case err != nil:
			continue
		case !reflect.DeepEqual(v, was):
			log.InfoContext(ctx, "subscription closed: roles changed", "user_id", access.UserID)
			return
		}
	}
}

// withoutDeadlines clears the server's read and write timeouts for a
// WebSocket: they bound one request, and would cut a long-lived
// connection after a minute.
func withoutDeadlines(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		_ = rc.SetReadDeadline(time.Time{})
		_ = rc.SetWriteDeadline(time.Time{})
		next.ServeHTTP(w, r)
	})
}

// isUpgrade reports a WebSocket handshake.
func isUpgrade(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}
