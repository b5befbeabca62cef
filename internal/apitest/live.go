package apitest

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// LiveConn is a real WebSocket client speaking graphql-transport-ws (the
// protocol of the graphql-ws library) to /graphql, as a browser would.
type LiveConn struct {
	t      testing.TB
	conn   *websocket.Conn
	msgs   chan LiveMessage
	cancel context.CancelFunc
	// CloseCode and CloseReason say how the server closed the connection
	// (once a message of type "closed" has been received).
	CloseCode   websocket.StatusCode
	CloseReason string
}

// LiveMessage is one protocol message; Type "closed" reports the end of
// the connection.
type LiveMessage struct {
	Type    string          `json:"type"`
	ID      string          `json:"id,omitempty"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// Live opens a subscription connection to the test server, closed when t
// ends, and sends connection_init with the client's token (none if it is
// anonymous).
func (c *Client) Live(t testing.TB) *LiveConn {
	return DialLive(t, c.srv.URL, c.Token)
}

// DialLive opens a subscription connection to the server at baseURL
// (http://host:port) and sends connection_init with token.
func DialLive(t testing.TB, baseURL, token string) *LiveConn {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	conn, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(baseURL, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if res != nil && res.Body != nil {
		_ = res.Body.Close() // the handshake's; the connection lives on in conn
	}
	if err != nil {
		cancel()
		t.Fatalf("websocket dial: %v", err)
	}
	lc := &LiveConn{t: t, conn: conn, msgs: make(chan LiveMessage, 64), cancel: cancel}
	t.Cleanup(lc.Close)
	go lc.read(ctx)
	payload := map[string]any{}
	if token != "" {
		payload["Authorization"] = "Bearer " + token
	}
	lc.send(map[string]any{"type": "connection_init", "payload": payload})
	return lc
}

func (lc *LiveConn) read(ctx context.Context) {
	defer close(lc.msgs)
	for {
		_, b, err := lc.conn.Read(ctx)
		if err != nil {
			var ce websocket.CloseError
			if errors.As(err, &ce) {
				lc.CloseCode, lc.CloseReason = ce.Code, ce.Reason
			} else {
				lc.CloseCode, lc.CloseReason = -1, err.Error()
			}
			lc.msgs <- LiveMessage{Type: "closed"}
			return
		}
		var m LiveMessage
		if err := json.Unmarshal(b, &m); err != nil {
			lc.msgs <- LiveMessage{Type: "invalid", Payload: b}
			continue
		}
		if m.Type == "ping" {
			_ = lc.conn.Write(ctx, websocket.MessageText, []byte(`{"type":"pong"}`))
			continue
		}
		lc.msgs <- m
	}
}

func (lc *LiveConn) send(v any) {
	lc.t.Helper()
	b, _ := json.Marshal(v)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := lc.conn.Write(ctx, websocket.MessageText, b); err != nil {
		lc.t.Fatalf("websocket write: %v", err)
	}
}

// Next is the next message, or fails the test after timeout.
func (lc *LiveConn) Next(timeout time.Duration) LiveMessage {
	lc.t.Helper()
	select {
	case m, ok := <-lc.msgs:
		if !ok {
			return LiveMessage{Type: "closed"}
		}
		return m
	case <-time.After(timeout):
		lc.t.Fatalf("no message within %s", timeout)
		return LiveMessage{}
	}
}

// Quiet fails the test if a message arrives within d.
func (lc *LiveConn) Quiet(d time.Duration) {
	lc.t.Helper()
	select {
	case m := <-lc.msgs:
		lc.t.Fatalf("unexpected message %s %s", m.Type, m.Payload)
	case <-time.After(d):
	}
}

// Ack waits for connection_ack.
func (lc *LiveConn) Ack() {
	lc.t.Helper()
	if m := lc.Next(10 * time.Second); m.Type != "connection_ack" {
		lc.t.Fatalf("want connection_ack, got %s %s (close %d %q)", m.Type, m.Payload, lc.CloseCode, lc.CloseReason)
	}
}

// Subscribe starts a subscription with the given id.
func (lc *LiveConn) Subscribe(id, query string, vars Vars) {
	lc.t.Helper()
	lc.send(map[string]any{"type": "subscribe", "id": id, "payload": map[string]any{"query": query, "variables": vars}})
}

// Data waits for the next "next" message of the subscription and decodes
// its data into out; it fails the test on anything else.
func (lc *LiveConn) Data(id string, timeout time.Duration, out any) {
	lc.t.Helper()
	m := lc.Next(timeout)
	if m.Type != "next" || m.ID != id {
		lc.t.Fatalf("want next for %s, got %s %s %s", id, m.Type, m.ID, m.Payload)
	}
	var p struct {
		Data   json.RawMessage `json:"data"`
		Errors []Error         `json:"errors"`
	}
	if err := json.Unmarshal(m.Payload, &p); err != nil || len(p.Errors) > 0 {
		lc.t.Fatalf("next for %s: %s", id, m.Payload)
	}
	if err := json.Unmarshal(p.Data, out); err != nil {
		lc.t.Fatalf("decoding %s: %v", p.Data, err)
	}
}

// Code is the first error code a "next" or "error" message carries, or
// "" for data.
func (m LiveMessage) Code() string {
	var errs []Error
	if m.Type == "error" {
		_ = json.Unmarshal(m.Payload, &errs)
	} else {
		var p struct {
			Errors []Error `json:"errors"`
		}
		_ = json.Unmarshal(m.Payload, &p)
		errs = p.Errors
	}
	if len(errs) == 0 {
		return ""
	}
	code, _ := errs[0].Extensions["code"].(string)
	return code
}

// Closed waits until the server closes the connection.
func (lc *LiveConn) Closed(timeout time.Duration) {
	lc.t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case m, ok := <-lc.msgs:
			if !ok || m.Type == "closed" {
				return
			}
		case <-deadline:
			lc.t.Fatalf("connection still open after %s", timeout)
		}
	}
}

// Close ends the connection from the client's side.
func (lc *LiveConn) Close() {
	_ = lc.conn.Close(websocket.StatusNormalClosure, "")
	lc.cancel()
}
