package market

import (
	"context"
	"net/url"
	"strings"

	"bangfu/ent"
	"bangfu/ent/product"
	"bangfu/ent/region"
	"bangfu/ent/supplierprofile"
	"bangfu/internal/apperr"
	"bangfu/internal/gid"
	"bangfu/internal/store"
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

// CreateProduct lists a new product for the supplier organization (the
// Product policy checks that the caller acts for it). Stock starts at
// initialStock and is recorded as the first adjustment.
func (s *Service) CreateProduct(ctx context.Context, supplierID *int, in ProductInput, initialStock int) (*ent.Product, error) {
	orgs := viewer.FromContext(ctx).OrgIDs(viewer.Supplier)
	var org int
	switch {
	case supplierID != nil:
		org = *supplierID
	case len(orgs) == 1:
		org = orgs[0]
	case len(orgs) == 0:
		return nil, apperr.Forbidden("only suppliers create products")
	default:
		return nil, apperr.BadInput("you act for %d suppliers: pass supplierId", len(orgs))
	}
	if in.Name == nil || in.Category == nil || in.Spec == nil || in.Unit == nil || in.PriceFen == nil || in.OriginCountyID == nil {
		return nil, apperr.BadInput("name, category, spec, unit, priceFen and originCountyId are required")
	}
	if initialStock < 0 {
		return nil, apperr.BadInput("stock cannot be negative")
	}
	if err := s.checkInput(ctx, in); err != nil {
		return nil, err
	}
	var p *ent.Product
	err := store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		c := tx.Product.Create().SetSupplierID(org).SetName(strings.TrimSpace(*in.Name)).SetCategory(*in.Category).
			SetSpec(*in.Spec).SetUnit(*in.Unit).SetPriceFen(*in.PriceFen).SetOriginCountyID(*in.OriginCountyID).
			SetStock(initialStock).SetNillableDescription(in.Description).SetNillableChannel(in.Channel).
			SetNillableStatus(in.Status)
		if in.ImageURLs != nil {
			c.SetImageUrls(in.ImageURLs)
		}
		var err error
		if p, err = c.Save(ctx); err != nil {
			return inputError(err)
		}
		if err := checkListing(ctx, tx, org, in); err != nil {
			return err
		}
		if initialStock == 0 {
			return nil
		}
		return tx.StockAdjustment.Create().SetProductID(p.ID).SetDelta(initialStock).SetStockAfter(initialStock).
			SetReason("initial stock").SetNillableActorID(actor(ctx)).Exec(ctx)
	})
	if err != nil {
		return nil, err
	}
	return p.Unwrap(), nil
}

// UpdateProduct edits a product; stock changes go through AdjustStock.
func (s *Service) UpdateProduct(ctx context.Context, id int, in ProductInput) (*ent.Product, error) {
	if err := s.checkInput(ctx, in); err != nil {
		return nil, err
	}
	var p *ent.Product
	err := store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		current, err := tx.Product.Get(ctx, id)
		if ent.IsNotFound(err) {
			return apperr.NotFound("product %s not found", gid.Ref(id))
		}
		if err != nil {
			return err
		}
		u := tx.Product.UpdateOne(current).SetNillableDescription(in.Description).SetNillableSpec(in.Spec).
			SetNillableUnit(in.Unit).SetNillablePriceFen(in.PriceFen).SetNillableCategory(in.Category).
			SetNillableChannel(in.Channel).SetNillableStatus(in.Status).SetNillableOriginCountyID(in.OriginCountyID)
		if in.Name != nil {
			u.SetName(strings.TrimSpace(*in.Name))
		}
		if in.ImageURLs != nil {
			u.SetImageUrls(in.ImageURLs)
		}
		if p, err = u.Save(ctx); err != nil {
			return inputError(err)
		}
		return checkListing(ctx, tx, p.SupplierID, in)
	})
	if err != nil {
		return nil, err
	}
	return p.Unwrap(), nil
}

// checkInput enforces the listing rules on the input that the field
// validators cannot see.
func (s *Service) checkInput(ctx context.Context, in ProductInput) error {
	if in.PriceFen != nil && *in.PriceFen <= 0 {
		return apperr.BadInput("priceFen must be positive")
	}
	if len(in.ImageURLs) > maxImages {
		return apperr.BadInput("at most %d images", maxImages)
	}
	for _, raw := range in.ImageURLs {
		u, err := url.Parse(raw)
		if err != nil || u.Scheme != "https" || u.Host == "" || len(raw) > 500 {
			return apperr.BadInput("image URLs must be https URLs of at most 500 characters")
		}
	}
	if in.OriginCountyID != nil {
		r, err := s.client.Region.Get(ctx, *in.OriginCountyID) // regions are public
		if ent.IsNotFound(err) || (err == nil && r.Level != region.LevelCOUNTY) {
			return apperr.BadInput("originCountyId must be a county")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// checkListing: only approved suppliers list products.
func checkListing(ctx context.Context, tx *ent.Client, supplier int, in ProductInput) error {
	if in.Status == nil || *in.Status != product.StatusLISTED {
		return nil
	}
	ok, err := tx.SupplierProfile.Query().Where(supplierprofile.OrganizationID(supplier),
		supplierprofile.StatusEQ(supplierprofile.StatusAPPROVED)).Exist(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.Conflict("only approved suppliers can list products")
	}
	return nil
}

// AdjustStock changes stock by delta (never below zero) and records why.
// The Product and StockAdjustment policies let suppliers change only their
// own products' stock.
func (s *Service) AdjustStock(ctx context.Context, productID, delta int, reason string) (*ent.StockAdjustment, error) {
	reason = strings.TrimSpace(reason)
	if delta == 0 || reason == "" || len(reason) > 200 {
		return nil, apperr.BadInput("a non-zero delta and a reason (up to 200 characters) are required")
	}
	var a *ent.StockAdjustment
	err := store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		if _, err := tx.Product.Get(ctx, productID); ent.IsNotFound(err) {
			return apperr.NotFound("product %s not found", gid.Ref(productID))
		} else if err != nil {
			return err
		}
		// The conditional update keeps stock non-negative under concurrent
		// orders.
		upd := tx.Product.UpdateOneID(productID).AddStock(delta)
		if delta < 0 {
			upd.Where(product.StockGTE(-delta))
		}
		p, err := upd.Save(ctx)
		if ent.IsNotFound(err) {
			return apperr.Conflict("stock cannot go below zero")
		}
		if err != nil {
			return err
		}
		a, err = tx.StockAdjustment.Create().SetProductID(productID).SetDelta(delta).SetStockAfter(p.Stock).
			SetReason(reason).SetNillableActorID(actor(ctx)).Save(ctx)
		return err
	})
	if err != nil {
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
		return apperr.BadInput("%v", err)
	}
	return err
}
