package market

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"entgo.io/ent/dialect"

	"bangfu/ent"
	"bangfu/ent/order"
	"bangfu/ent/orderrequest"
	"bangfu/ent/organization"
	"bangfu/ent/product"
	"bangfu/ent/supplierprofile"
	"bangfu/internal/accounts"
	"bangfu/internal/apperr"
	"bangfu/internal/clock"
	"bangfu/internal/gid"
	"bangfu/internal/pacing"
	"bangfu/internal/store"
	"bangfu/internal/viewer"
)

// Limits on one placement.
const (
	MaxItems     = 100
	MaxQuantity  = 100_000
	minKeyLength = 8
	maxKeyLength = 128
	// BulkItems: a cart of more lines than this is bulk work (see pace).
	BulkItems = 10
)

// Bulk work (large carts, settlements and refunds, which pay or claw back
// every linked household) may take at most this share of the time while
// small orders are in flight, and waits at most maxBulkWait for its turn:
// one client sending 100-item carts or settling a 1,000-household
// supplier's orders back to back must not slow other buyers by more than a
// fifth (BenchmarkPlaceOrderInterference). The share is a twentieth, not
// a fifth: what bulk work costs does not all happen inside its turn (the
// log's sealer takes a settlement's thousand ledger entries after commit),
// and the cheaper small orders are, the more a turn of bulk work costs
// them. At a fifth the other buyers measured 79–85% of their rate alone;
// at a tenth with at most a second's wait, once a placement was one
// statement, 69–108% beside settlements (two of five runs under 80%; the
// wait was at its cap, so the share was more like a seventh); at a
// twentieth with at most two seconds, 92–94% in three runs, the bulk
// client getting a settlement every two seconds.
const (
	bulkShare   = 0.05
	maxBulkWait = 2 * time.Second
)

// Service runs the marketplace rules over an ent client.
type Service struct {
	client   *ent.Client
	now      clock.Clock
	validity time.Duration
	pace     *pacing.Pacer
	// oneStatement: place an order in one statement (PostgreSQL; see
	// placement.go) rather than through ent's builders (placeIn).
	oneStatement bool
	placed       func(orders int)
}

// New returns the marketplace service; validity is how long a certificate
// lasts (0 for DefaultValidity). placed, if not nil, is told how many
// orders each placement made, once it has committed (the
// orders-placed metric).
func New(client *ent.Client, now clock.Clock, validity time.Duration, placed func(orders int)) *Service {
	if validity == 0 {
		validity = DefaultValidity
	}
	if placed == nil {
		placed = func(int) {}
	}
	return &Service{client: client, validity: validity, now: now,
		pace:         pacing.New(bulkShare, maxBulkWait),
		oneStatement: client.Dialect() == dialect.Postgres, placed: placed}
}

// Item is one product and quantity in a cart.
type Item struct {
	ProductID int
	Quantity  int
}

// PlaceInput is a cart to order.
type PlaceInput struct {
	Items          []Item
	IdempotencyKey string
	// BuyerID picks the organization when the user buys for several.
	BuyerID *int
	// FacilitatorID names the organization that helped sell (帮助销售).
	FacilitatorID *int
}

// PlaceOrder checks the cart, takes stock atomically and creates one order
// per supplier. The buyer's idempotency key is claimed once, before
// anything is placed (OrderRequest): retrying, even concurrently and with
// the cart's suppliers in another order, returns the same orders; the same
// key with a different cart is a CONFLICT.
func (s *Service) PlaceOrder(ctx context.Context, in PlaceInput) ([]*ent.Order, error) {
	buyer, err := s.buyerOrg(ctx, in.BuyerID)
	if err != nil {
		return nil, err
	}
	items, err := normalize(in)
	if err != nil {
		return nil, err
	}
	done, err := s.paced(ctx, len(items) > BulkItems)
	if err != nil {
		return nil, err
	}
	defer done()
	key := strings.TrimSpace(in.IdempotencyKey)
	fingerprint := requestHash(buyer, in.FacilitatorID, items)
	orders, err := s.place(ctx, buyer, in, items, fingerprint)
	if errors.Is(err, errKeyClaimed) {
		return s.replay(ctx, buyer, key, fingerprint)
	}
	return orders, err
}

// paced waits for bulk work's turn, or marks small work in flight; done
// ends either.
func (s *Service) paced(ctx context.Context, bulk bool) (done func(), err error) {
	if bulk {
		return s.pace.Bulk(ctx)
	}
	return s.pace.Small(), nil
}

// errKeyClaimed: another request claimed the key first (and committed).
var errKeyClaimed = errors.New("idempotency key already claimed")

// replay answers a request whose key an earlier request claimed: the same
// cart gets the orders it made; another cart is a CONFLICT. It reads as the
// caller, so a key of another organization's shows nothing: the caller may
// not buy for it.
func (s *Service) replay(ctx context.Context, buyer int, key, fingerprint string) ([]*ent.Order, error) {
	orders, err := s.client.Order.Query().Where(order.BuyerID(buyer), order.IdempotencyKey(key)).
		Order(ent.Asc(order.FieldID)).All(ctx)
	switch {
	case err != nil:
		return nil, err
	case len(orders) == 0:
		return nil, apperr.Forbidden("you do not buy for that organization")
	case orders[0].RequestHash != fingerprint:
		return nil, apperr.Conflict("idempotencyKey was already used for a different order")
	}
	return orders, nil
}

// buyerOrg is the organization the caller buys for: the one it names (the
// Order policy decides whether it may), or the only one it buys for.
func (s *Service) buyerOrg(ctx context.Context, requested *int) (int, error) {
	orgs := viewer.FromContext(ctx).OrgIDs(viewer.Buyer)
	switch {
	case requested != nil:
		return *requested, nil
	case len(orgs) == 1:
		return orgs[0], nil
	case len(orgs) == 0:
		return 0, apperr.Forbidden("only buyers place orders")
	default:
		return 0, apperr.BadInput("you buy for %d organizations: pass buyerId", len(orgs))
	}
}

func normalize(in PlaceInput) ([]Item, error) {
	key := strings.TrimSpace(in.IdempotencyKey)
	if len(key) < minKeyLength || len(key) > maxKeyLength {
		return nil, apperr.BadInput("idempotencyKey must have %d to %d characters", minKeyLength, maxKeyLength)
	}
	if len(in.Items) == 0 || len(in.Items) > MaxItems {
		return nil, apperr.BadInput("an order has 1 to %d items", MaxItems)
	}
	seen := map[int]bool{}
	items := slices.Clone(in.Items)
	for _, it := range items {
		if it.Quantity < 1 || it.Quantity > MaxQuantity {
			return nil, apperr.BadInput("quantity must be between 1 and %d, got %d", MaxQuantity, it.Quantity)
		}
		if seen[it.ProductID] {
			return nil, apperr.BadInput("product listed twice in one order; combine the quantities")
		}
		seen[it.ProductID] = true
	}
	// A fixed order for taking stock avoids deadlocks between carts.
	sort.Slice(items, func(i, j int) bool { return items[i].ProductID < items[j].ProductID })
	return items, nil
}

func requestHash(buyer int, facilitator *int, items []Item) string {
	var b strings.Builder
	fmt.Fprintf(&b, "buyer=%d;", buyer)
	if facilitator != nil {
		fmt.Fprintf(&b, "facilitator=%d;", *facilitator)
	}
	for _, it := range items {
		fmt.Fprintf(&b, "%d*%d;", it.ProductID, it.Quantity)
	}
	h := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(h[:])
}

func (s *Service) place(ctx context.Context, buyer int, in PlaceInput, items []Item, fingerprint string) ([]*ent.Order, error) {
	now := s.now()
	// Whether the caller may buy for the organization is the Order
	// policy's to say, before anything about the products is told (on
	// placeIn's way the policy runs again when the orders are inserted).
	if err := order.Policy.EvalMutation(ctx, s.client.Order.Create().SetBuyerID(buyer).Mutation()); err != nil {
		return nil, err
	}
	if s.oneStatement {
		return s.placeInOneStatement(ctx, buyer, in, items, fingerprint, now)
	}
	take := takeStockStatement(s.client.Dialect(), items, buyer, in.FacilitatorID, now)
	var orders []*ent.Order
	err := store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		var err error
		orders, err = s.placeIn(ctx, tx, buyer, in, items, fingerprint, take, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	for i, o := range orders {
		orders[i] = o.Unwrap() // detach from the finished transaction
	}
	s.placed(len(orders))
	return orders, nil
}

// placeInOneStatement places the cart in one statement (placement.go) and
// reads back the orders it made, through an ent query so that they are
// whole entities (their edges load as any order's do). No order back
// means nothing was written: either the key was claimed already (perhaps
// by a twin that committed while this request waited for it), or a rule
// refused the cart, which whyNot explains.
func (s *Service) placeInOneStatement(ctx context.Context, buyer int, in PlaceInput, items []Item, fingerprint string, now time.Time) ([]*ent.Order, error) {
	p, err := placementStatement(ctx, items, buyer, in, fingerprint, now)
	if err != nil {
		return nil, err
	}
	sys := viewer.AsSystem(ctx)
	orders, err := s.client.Order.Query().Where(p.orders).Order(ent.Asc(order.FieldID)).All(sys)
	if err != nil {
		return nil, err
	}
	if len(orders) > 0 {
		s.placed(len(orders))
		return orders, nil
	}
	claimed, err := s.client.OrderRequest.Query().
		Where(orderrequest.BuyerID(buyer), orderrequest.IdempotencyKey(strings.TrimSpace(in.IdempotencyKey))).Exist(sys)
	if err != nil {
		return nil, err
	}
	if claimed {
		return nil, errKeyClaimed
	}
	return nil, s.whyNot(sys, s.client, buyer, in.FacilitatorID, items, &takeResult{}, now)
}

// placeIn takes the stock and writes the orders in tx, in as few
// statements as a placement allows (it is the hottest write): the key's
// claim, one statement that takes every item's stock and reads what the
// order needs (takeStock), one insert of the orders and one of their
// lines. Products, suppliers and stock are read and
// written as the system: the buyer may not change products.
func (s *Service) placeIn(ctx context.Context, tx *ent.Client, buyer int, in PlaceInput, items []Item, fingerprint string,
	take takeStatement, now time.Time) ([]*ent.Order, error) {
	sys := viewer.AsSystem(ctx)

	// The claim comes first: a concurrent request with the same key waits
	// here for this one to commit, then finds the key taken.
	err := tx.OrderRequest.Create().SetBuyerID(buyer).SetIdempotencyKey(strings.TrimSpace(in.IdempotencyKey)).
		SetRequestHash(fingerprint).Exec(sys)
	if ent.IsConstraintError(err) {
		return nil, errKeyClaimed
	}
	if err != nil {
		return nil, err
	}

	took, err := takeStock(sys, tx, take, items)
	if err != nil {
		return nil, err
	}
	if len(took.products) < len(items) || !took.buyerActive || !took.facilitationOK {
		return nil, s.whyNot(sys, tx, buyer, in.FacilitatorID, items, took, now)
	}

	// One order per supplier, in supplier order for a stable result.
	bySupplier := map[int][]Item{}
	for _, it := range items {
		sup := took.products[it.ProductID].supplier
		bySupplier[sup] = append(bySupplier[sup], it)
	}
	suppliers := keys(bySupplier)
	creates := make([]*ent.OrderCreate, len(suppliers))
	for i, sup := range suppliers {
		var total int64
		for _, it := range bySupplier[sup] {
			total += int64(it.Quantity) * took.products[it.ProductID].priceFen
		}
		creates[i] = tx.Order.Create().
			SetBuyerID(buyer).SetSupplierID(sup).SetNillableFacilitatorID(in.FacilitatorID).
			SetIdempotencyKey(strings.TrimSpace(in.IdempotencyKey)).SetRequestHash(fingerprint).
			SetTotalFen(total).SetPlacedAt(now)
		if uid := viewer.FromContext(ctx).UserID; uid != 0 {
			creates[i].SetPlacedByID(uid)
		}
	}
	orders, err := tx.Order.CreateBulk(creates...).Save(ctx) // the caller's own rights decide here
	if err != nil {
		return nil, err
	}

	var lines []*ent.OrderLineCreate
	for i, sup := range suppliers {
		for _, it := range bySupplier[sup] {
			p := took.products[it.ProductID]
			lines = append(lines, tx.OrderLine.Create().
				SetOrderID(orders[i].ID).SetProductID(p.id).SetQuantity(it.Quantity).
				SetUnitPriceFen(p.priceFen).SetAmountFen(int64(it.Quantity)*p.priceFen).
				SetCertifiedAtOrder(p.certified).SetOriginCountyID(p.originCounty))
		}
	}
	if err := tx.OrderLine.CreateBulk(lines...).Exec(sys); err != nil {
		return nil, err
	}
	return orders, nil
}

// whyNot explains a placement that could not take its stock, in the order
// the rules apply: only active organizations buy, sell or facilitate
// (DOMAIN rule 12) and a facilitator must have agreed to help this buyer
// (rule 10); then each product must be on sale, its supplier approved,
// its stock sufficient. The transaction rolls back.
func (s *Service) whyNot(ctx context.Context, tx *ent.Client, buyer int, facilitator *int, items []Item, took *takeResult, now time.Time) error {
	if err := accounts.Active(ctx, tx, buyer, "buyer"); err != nil {
		return err
	}
	if facilitator != nil {
		if err := accounts.CheckFacilitation(ctx, tx, *facilitator, buyer, now); err != nil {
			return err
		}
	}
	for _, it := range items {
		if _, ok := took.products[it.ProductID]; ok {
			continue
		}
		p, err := tx.Product.Get(ctx, it.ProductID)
		if ent.IsNotFound(err) || err == nil && p.Status != product.StatusLISTED {
			return apperr.BadInput("product %s is not on sale", gid.Ref(it.ProductID))
		}
		if err != nil {
			return err
		}
		approved, err := tx.SupplierProfile.Query().
			Where(supplierprofile.OrganizationID(p.SupplierID), supplierprofile.StatusEQ(supplierprofile.StatusAPPROVED),
				supplierprofile.HasOrganizationWith(organization.StatusEQ(organization.StatusACTIVE))).Exist(ctx)
		if err != nil {
			return err
		}
		if !approved {
			return apperr.Conflict("the supplier of some items is not approved to sell")
		}
		if p.Stock >= it.Quantity {
			continue // it had enough (placeInOneStatement takes all or none)
		}
		e := apperr.Conflict("not enough stock for product %s", gid.Ref(it.ProductID))
		e.Details = map[string]any{"productId": gid.Ref(it.ProductID)}
		return e
	}
	return apperr.Conflict("the order could not be placed; try again")
}

func keys[V any](m map[int]V) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}
