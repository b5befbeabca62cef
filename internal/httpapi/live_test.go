package httpapi_test

import (
	"fmt"
	"testing"
	"time"

	"bangfu/ent/agreement"
	"bangfu/ent/membership"
	"bangfu/internal/apitest"
	"bangfu/internal/demo"
	"bangfu/internal/live"
	"bangfu/internal/store/storetest"
)

const (
	orderUpdated = `subscription($id: ID!) { orderUpdated(orderId: $id) { id status } }`
	progressSub  = `subscription($id: ID!, $year: Int!) { agreementProgressUpdated(agreementId: $id, year: $year) {
		targets { indicator actual } } }`
	wait = 10 * time.Second
)

type orderEvent struct {
	OrderUpdated struct{ ID, Status string }
}

type progressEvent struct {
	AgreementProgressUpdated struct {
		Targets []struct {
			Indicator string
			Actual    int64
		}
	}
}

func (p progressEvent) actual(indicator string) int64 {
	for _, r := range p.AgreementProgressUpdated.Targets {
		if r.Indicator == indicator {
			return r.Actual
		}
	}
	return 0
}

// TestSubscriptions: an order's parties follow it live over a real
// WebSocket; others are refused; a coordinator sees progress rise when a
// settlement commits; connections without a valid token are closed.
func TestSubscriptions(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t, func(s *apitest.Setup) { s.HTTP.SessionCheck = 200 * time.Millisecond })
	db := srv.DB
	f := fixture(t, db)
	buyer, supplier := srv.SignIn("buyer@bangfu.example"), srv.SignIn("supplier@bangfu.example")
	placed := buyer.PlaceOrder(apitest.Cart{Key: "cart-live-0001", Items: []apitest.Item{line(t, f.own[0], 2)}}).Must(t)
	orderID := placed[0].ID

	t.Run("order parties follow the order", func(t *testing.T) {
		ws := buyer.Live(t)
		ws.Ack()
		ws.Subscribe("1", orderUpdated, apitest.Vars{"id": orderID})
		var ev orderEvent
		ws.Data("1", wait, &ev)
		if ev.OrderUpdated.ID != orderID || ev.OrderUpdated.Status != "PLACED" {
			t.Fatalf("first value %+v, want the order as PLACED", ev)
		}
		supplier.Step(orderID, apitest.Confirm).Must(t)
		ws.Data("1", wait, &ev)
		if ev.OrderUpdated.Status != "CONFIRMED" {
			t.Fatalf("after confirming: %+v", ev)
		}
		// A refused step changes nothing and sends nothing.
		buyer.Step(orderID, apitest.Settle).WantCode(t, "CONFLICT")
		ws.Quiet(300 * time.Millisecond)
	})

	t.Run("others may not watch the order", func(t *testing.T) {
		ws := srv.SignIn("certifier@bangfu.example").Live(t)
		ws.Ack()
		ws.Subscribe("1", orderUpdated, apitest.Vars{"id": orderID})
		// Refused like the query would be: the order is not there for them.
		if m := ws.Next(wait); m.Code() != "NOT_FOUND" {
			t.Fatalf("a certifier watching an order: %s %s, want NOT_FOUND", m.Type, m.Payload)
		}
	})

	for name, token := range map[string]string{"no token": "", "a forged token": "eyJhbGciOiJIUzI1NiJ9.e30.x"} {
		t.Run("refused with "+name, func(t *testing.T) {
			ws := srv.As(token).Live(t)
			ws.Closed(wait)
			if ws.CloseCode != 4401 {
				t.Fatalf("closed with %d %q, want 4401", ws.CloseCode, ws.CloseReason)
			}
		})
	}

	t.Run("signing out closes the connection", func(t *testing.T) {
		pair := srv.Anonymous().Login("buyer@bangfu.example", demo.Password).Must(t)
		ws := srv.As(pair.AccessToken).Live(t)
		ws.Ack()
		ws.Subscribe("1", orderUpdated, apitest.Vars{"id": orderID})
		var ev orderEvent
		ws.Data("1", wait, &ev)
		srv.As(pair.AccessToken).Do(`mutation($t: String!) { logout(refreshToken: $t) }`, apitest.Vars{"t": pair.RefreshToken}).Must(t, &struct{}{})
		ws.Closed(wait)
	})

	t.Run("progress rises when a settlement commits", func(t *testing.T) {
		a := db.Client.Membership.Query().Where(membership.RoleEQ(membership.RoleCOORDINATOR)).QueryScopeAgreements().
			Where(agreement.KindEQ(agreement.KindEAST_WEST)).FirstX(storetest.AsSystem())
		aID := apitest.GlobalID(t, "Agreement", a.ID)
		ws := srv.SignIn("coordinator@bangfu.example").Live(t)
		ws.Ack()
		ws.Subscribe("p", progressSub, apitest.Vars{"id": aID, "year": 2026})
		var before, after progressEvent
		ws.Data("p", wait, &before)
		o, _, p := creditableOrder(t, db, a, "live-progress-1")
		srv.SignIn("admin@bangfu.example").Step(apitest.GlobalID(t, "Order", o.ID), apitest.Settle).Must(t)
		ws.Data("p", wait, &after)
		if got, want := after.actual("DIRECT_PURCHASE"), before.actual("DIRECT_PURCHASE")+3*p.PriceFen; got != want {
			t.Fatalf("DIRECT_PURCHASE after the settlement: %d, want %d", got, want)
		}
	})

	t.Run("one connection holds a bounded number", func(t *testing.T) {
		ws := buyer.Live(t)
		ws.Ack()
		for i := 0; i <= live.MaxPerConnection; i++ {
			ws.Subscribe(fmt.Sprint(i), orderUpdated, apitest.Vars{"id": orderID})
		}
		var refused, sent int
		for refused+sent < live.MaxPerConnection+1 {
			switch m := ws.Next(wait); {
			case m.Code() == "BAD_USER_INPUT":
				refused++
			case m.Type == "next" && m.Code() == "":
				sent++
			case m.Type == "complete": // after the refusal
			default:
				t.Fatalf("unexpected %s %s", m.Type, m.Payload)
			}
		}
		if refused != 1 || sent != live.MaxPerConnection {
			t.Fatalf("%d sent, %d refused; want %d and 1", sent, refused, live.MaxPerConnection)
		}
	})
}

// TestSubscriptionEndsWithItsToken: a connection lives no longer than the
// access token it was opened with.
func TestSubscriptionEndsWithItsToken(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t, func(s *apitest.Setup) { s.App.AccessTTL = 2 * time.Second })
	ws := srv.SignIn("buyer@bangfu.example").Live(t)
	ws.Ack()
	start := time.Now()
	ws.Closed(wait)
	if d := time.Since(start); d > 4*time.Second {
		t.Fatalf("closed %s after connecting, the token lived 2 s", d)
	}
}
