package apitest

import (
	"embed"
	"encoding/json"
	"path"
	"strings"
	"testing"
)

// operations are the named operations the typed calls send, one file
// each, named after the operation.
//
//go:embed operations/*.graphql
var operations embed.FS

// Operations maps each operation name to its document.
func Operations() map[string]string {
	entries, _ := operations.ReadDir("operations")
	out := make(map[string]string, len(entries))
	for _, e := range entries {
		b, _ := operations.ReadFile(path.Join("operations", e.Name()))
		out[strings.TrimSuffix(e.Name(), ".graphql")] = string(b)
	}
	return out
}

func operation(name string) string {
	b, err := operations.ReadFile("operations/" + name + ".graphql")
	if err != nil {
		panic("apitest: no operation " + name)
	}
	return string(b)
}

// Result is the outcome of a typed operation.
type Result[T any] struct {
	Response
	field string // the operation's root field
}

// Must fails the test on any error and returns the operation's result.
func (r Result[T]) Must(t testing.TB) T {
	t.Helper()
	var data map[string]json.RawMessage
	r.Response.Must(t, &data)
	var out T
	if err := json.Unmarshal(data[r.field], &out); err != nil {
		t.Fatalf("decoding %s: %v", data[r.field], err)
	}
	return out
}

func call[T any](c *Client, name, field string, vars Vars) Result[T] {
	c.srv.t.Helper()
	return Result[T]{Response: c.Do(operation(name), vars), field: field}
}

// Session is what a sign-in returns.
type Session struct {
	AccessToken, RefreshToken string
	User                      struct{ ID, Email string }
}

// Login signs in with a password.
func (c *Client) Login(email, password string) Result[Session] {
	return call[Session](c, "Login", "login", Vars{"email": email, "password": password})
}

// Item is one product and quantity of a cart.
type Item struct {
	ProductID string `json:"productId"`
	Quantity  int    `json:"quantity"`
}

// Cart is a placeOrder input.
type Cart struct {
	Key           string  `json:"idempotencyKey"`
	Items         []Item  `json:"items"`
	BuyerID       *string `json:"buyerId,omitempty"`
	FacilitatedBy *string `json:"facilitatedBy,omitempty"`
}

// Order is an order as placeOrder and the lifecycle steps return it.
type Order struct {
	ID       string
	Status   string
	TotalFen int64
	Supplier struct{ ID string }
	Lines    struct {
		Edges []struct {
			Node struct {
				ID        string
				Quantity  int
				AmountFen int64
			}
		}
	}
}

// PlaceOrder places a cart: one order per supplier.
func (c *Client) PlaceOrder(cart Cart) Result[[]Order] {
	return call[[]Order](c, "PlaceOrder", "placeOrder", Vars{"input": cart})
}

// Step names an order lifecycle step.
type Step string

// The order lifecycle steps.
const (
	Confirm Step = "ConfirmOrder"
	Ship    Step = "ShipOrder"
	Deliver Step = "MarkDelivered"
	Accept  Step = "AcceptOrder"
	Settle  Step = "SettleOrder"
	Cancel  Step = "CancelOrder"
	Refund  Step = "RefundOrder"
)

// Step takes a lifecycle step on an order (shipping with a test carrier,
// accepting with test references).
func (c *Client) Step(orderID string, s Step) Result[Order] {
	vars := Vars{"id": orderID}
	switch s {
	case Ship:
		vars["carrier"], vars["trackingNumber"] = "顺丰", "SF123"
	case Accept:
		vars["inspectionRef"], vars["invoiceRef"] = "YS-1", "FP-1"
	}
	field := strings.ToLower(string(s[:1])) + string(s[1:])
	return call[Order](c, string(s), field, vars)
}

// Beneficiary is a household income entry of an order line.
type Beneficiary struct {
	Amount    int64
	Household struct{ ID string }
}

// OrderBeneficiaries are the household income entries of an order's lines.
type OrderBeneficiaries struct {
	Lines struct {
		Edges []struct {
			Node struct{ Beneficiaries []Beneficiary }
		}
	}
}

// Total is the sum of the entries.
func (o OrderBeneficiaries) Total() int64 {
	var sum int64
	for _, e := range o.Lines.Edges {
		for _, b := range e.Node.Beneficiaries {
			sum += b.Amount
		}
	}
	return sum
}

// Beneficiaries lists the household income entries of an order's lines.
func (c *Client) Beneficiaries(orderID string) Result[OrderBeneficiaries] {
	return call[OrderBeneficiaries](c, "OrderBeneficiaries", "node", Vars{"id": orderID})
}

// TargetProgress is one target's progress.
type TargetProgress struct {
	Indicator      string
	Source         string
	TargetValue    int64
	Actual         int64
	Percent        *float64
	ExpectedToDate int64
	BehindSchedule bool
	Monthly        []struct {
		Month      int
		Amount     int64
		Cumulative int64
	}
}

// Progress is an agreement's progress for a year.
type Progress struct {
	DaysElapsed, DaysInYear int
	Targets                 []TargetProgress
}

// Target returns the progress of the indicator's target (zero if none).
func (p Progress) Target(indicator string) TargetProgress {
	for _, t := range p.Targets {
		if t.Indicator == indicator {
			return t
		}
	}
	return TargetProgress{}
}

// AgreementProgress reads an agreement's progress for a year.
func (c *Client) AgreementProgress(agreementID string, year int) Result[Progress] {
	return call[Progress](c, "AgreementProgress", "agreementProgress", Vars{"id": agreementID, "year": year})
}
