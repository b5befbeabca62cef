package market

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"bangfu/ent"
	"bangfu/ent/product"
	"bangfu/ent/region"
	"bangfu/ent/supplierprofile"
	"bangfu/internal/viewer"
)

// ProductInput holds a product's editable fields; nil leaves a field as is.
type ProductInput struct {
	Name, Description, Spec, Unit *string
	Category                      *product.Category
	Channel                       *product.Channel
	Status                        *product.Status
	PriceFen                      *int64
	OriginCountyID                *int
	ImageURLs                     []string
}

const maxImages = 10

// CreateProduct lists a new product for the supplier organization. Stock
// starts at initialStock and is recorded as the first adjustment.
func (s *Service) CreateProduct(ctx context.Context, supplierID *int, in ProductInput, initialStock int) (*ent.Product, error) {
	orgs := viewer.FromContext(ctx).OrgIDs(viewer.Supplier)
	var org int
	switch {
	case supplierID != nil:
		org = *supplierID
	case len(orgs) == 1:
		org = orgs[0]
	case len(orgs) == 0:
		return nil, forbidden("only suppliers create products")
	default:
		return nil, badInput("you act for %d suppliers: pass supplierId", len(orgs))
	}
	if in.Name == nil || in.Category == nil || in.Spec == nil || in.Unit == nil || in.PriceFen == nil || in.OriginCountyID == nil {
		return nil, badInput("name, category, spec, unit, priceFen and originCountyId are required")
	}
	if initialStock < 0 {
		return nil, badInput("stock cannot be negative")
	}
	tx, err := s.client.Tx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck
	if err := s.checkProduct(ctx, tx.Client(), org, in); err != nil {
		return nil, err
	}
	c := tx.Product.Create().SetSupplierID(org).SetName(strings.TrimSpace(*in.Name)).SetCategory(*in.Category).
		SetSpec(*in.Spec).SetUnit(*in.Unit).SetPriceFen(*in.PriceFen).SetOriginCountyID(*in.OriginCountyID).
		SetStock(initialStock).SetNillableDescription(in.Description).SetNillableChannel(in.Channel).
		SetNillableStatus(in.Status)
	if in.ImageURLs != nil {
		c.SetImageUrls(in.ImageURLs)
	}
	p, err := c.Save(ctx)
	if err != nil {
		return nil, inputError(err)
	}
	if initialStock > 0 {
		if err := tx.StockAdjustment.Create().SetProductID(p.ID).SetDelta(initialStock).SetStockAfter(initialStock).
			SetReason("initial stock").SetNillableActorID(actor(ctx)).Exec(ctx); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return p.Unwrap(), nil
}

// UpdateProduct edits a product; stock changes go through AdjustStock.
func (s *Service) UpdateProduct(ctx context.Context, id int, in ProductInput) (*ent.Product, error) {
	tx, err := s.client.Tx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck
	p, err := tx.Product.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, notFound("product %s not found", globalRef(id))
	}
	if err != nil {
		return nil, err
	}
	if err := s.checkProduct(ctx, tx.Client(), p.SupplierID, in); err != nil {
		return nil, err
	}
	u := tx.Product.UpdateOne(p).SetNillableDescription(in.Description).SetNillableSpec(in.Spec).
		SetNillableUnit(in.Unit).SetNillablePriceFen(in.PriceFen).SetNillableCategory(in.Category).
		SetNillableChannel(in.Channel).SetNillableStatus(in.Status).SetNillableOriginCountyID(in.OriginCountyID)
	if in.Name != nil {
		u.SetName(strings.TrimSpace(*in.Name))
	}
	if in.ImageURLs != nil {
		u.SetImageUrls(in.ImageURLs)
	}
	if p, err = u.Save(ctx); err != nil {
		return nil, inputError(err)
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return p.Unwrap(), nil
}

// checkProduct enforces the listing rules the field validators cannot see.
func (s *Service) checkProduct(ctx context.Context, c *ent.Client, supplier int, in ProductInput) error {
	sys := viewer.AsSystem(ctx)
	if in.PriceFen != nil && *in.PriceFen <= 0 {
		return badInput("priceFen must be positive")
	}
	if in.OriginCountyID != nil {
		r, err := c.Region.Get(sys, *in.OriginCountyID)
		if ent.IsNotFound(err) || (err == nil && r.Level != region.LevelCOUNTY) {
			return badInput("originCountyId must be a county")
		}
		if err != nil {
			return err
		}
	}
	if len(in.ImageURLs) > maxImages {
		return badInput("at most %d images", maxImages)
	}
	for _, raw := range in.ImageURLs {
		u, err := url.Parse(raw)
		if err != nil || u.Scheme != "https" || u.Host == "" || len(raw) > 500 {
			return badInput("image URLs must be https URLs of at most 500 characters")
		}
	}
	if in.Status != nil && *in.Status == product.StatusLISTED {
		ok, err := c.SupplierProfile.Query().Where(supplierprofile.OrganizationID(supplier),
			supplierprofile.StatusEQ(supplierprofile.StatusAPPROVED)).Exist(sys)
		if err != nil {
			return err
		}
		if !ok {
			return conflict("only approved suppliers can list products")
		}
	}
	return nil
}

// AdjustStock changes stock by delta (never below zero) and records why.
func (s *Service) AdjustStock(ctx context.Context, productID, delta int, reason string) (*ent.StockAdjustment, error) {
	reason = strings.TrimSpace(reason)
	if delta == 0 || reason == "" || len(reason) > 200 {
		return nil, badInput("a non-zero delta and a reason (up to 200 characters) are required")
	}
	tx, err := s.client.Tx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck
	p, err := tx.Product.Get(viewer.AsSystem(ctx), productID)
	if ent.IsNotFound(err) {
		return nil, notFound("product %s not found", globalRef(productID))
	}
	if err != nil {
		return nil, err
	}
	v := viewer.FromContext(ctx)
	if !slices.Contains(v.OrgIDs(viewer.Supplier), p.SupplierID) && !v.Has(viewer.Admin) {
		return nil, forbidden("suppliers adjust only their own stock")
	}
	// The conditional update keeps stock non-negative under concurrent
	// orders; it runs as the system because the check above authorized it.
	q := tx.Product.Update().Where(product.ID(productID)).AddStock(delta)
	if delta < 0 {
		q.Where(product.StockGTE(-delta))
	}
	n, err := q.Save(viewer.AsSystem(ctx))
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, conflict("stock cannot go below zero")
	}
	after, err := tx.Product.Query().Where(product.ID(productID)).Select(product.FieldStock).Int(viewer.AsSystem(ctx))
	if err != nil {
		return nil, err
	}
	a, err := tx.StockAdjustment.Create().SetProductID(productID).SetDelta(delta).SetStockAfter(after).
		SetReason(reason).SetNillableActorID(actor(ctx)).Save(ctx)
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return a.Unwrap(), nil
}

func actor(ctx context.Context) *int {
	if id := viewer.FromContext(ctx).UserID; id != 0 {
		return &id
	}
	return nil
}

// inputError turns ent validation failures into BAD_USER_INPUT.
func inputError(err error) error {
	if ent.IsValidationError(err) {
		return badInput("%v", err)
	}
	return err
}
