package market

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"bangfu/ent"
	"bangfu/ent/certification"
	"bangfu/ent/product"
	"bangfu/internal/viewer"
)

// Certification defaults (rule: validity about two years; public notice at
// least five days).
const (
	DefaultValidity = 2 * 365 * 24 * time.Hour
	MinNoticeDays   = 5
)

// CertStep is one step of the certification workflow (扶贫产品认定):
// apply → county review → public notice (objections send it back to
// review) → CERTIFIED → EXPIRED by date, or REVOKED; REJECTED at any
// point before certification.
type CertStep string

// Certification steps taken by certifiers.
const (
	StartReview   CertStep = "review"
	PublishNotice CertStep = "notice"
	Object        CertStep = "object"
	Certify       CertStep = "certify"
	RejectCert    CertStep = "reject"
	Revoke        CertStep = "revoke"
)

var openStatuses = []certification.Status{certification.StatusAPPLIED, certification.StatusUNDER_REVIEW, certification.StatusPUBLIC_NOTICE}

// ApplyCertification starts a certification for one of the supplier's
// products. One application at a time; a valid certificate must lapse or
// be revoked before re-applying.
func (s *Service) ApplyCertification(ctx context.Context, productID int) (*ent.Certification, error) {
	tx, err := s.client.Tx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck
	busy, err := tx.Certification.Query().Where(certification.ProductID(productID), certification.Or(
		certification.StatusIn(openStatuses...),
		certification.And(certification.StatusEQ(certification.StatusCERTIFIED), certification.ValidUntilGT(s.now())),
	)).Exist(viewer.AsSystem(ctx))
	if err != nil {
		return nil, err
	}
	if busy {
		return nil, conflict("the product already has an open application or a valid certificate")
	}
	c, err := tx.Certification.Create().SetProductID(productID).Save(ctx)
	if err != nil {
		return nil, err
	}
	if err := syncProduct(viewer.AsSystem(ctx), tx.Client(), c); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return c.Unwrap(), nil
}

// StepCertification applies a certifier's step. noticeDays applies to
// PublishNotice; reason to Object, RejectCert and Revoke.
func (s *Service) StepCertification(ctx context.Context, id int, step CertStep, noticeDays int, reason string) (*ent.Certification, error) {
	if !viewer.FromContext(ctx).Has(viewer.Certifier, viewer.Admin) {
		return nil, forbidden("only certifiers decide certifications")
	}
	reason = strings.TrimSpace(reason)
	tx, err := s.client.Tx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck
	c, err := tx.Certification.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, notFound("certification %s not found", globalRef(id))
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	wrong := func() error {
		e := conflict("certification is %s; cannot %s", c.Status, step)
		e.Details = map[string]any{"currentStatus": c.Status.String()}
		return e
	}
	upd := tx.Certification.UpdateOne(c).Where(certification.StatusEQ(c.Status))
	switch step {
	case StartReview:
		if c.Status != certification.StatusAPPLIED {
			return nil, wrong()
		}
		upd.SetStatus(certification.StatusUNDER_REVIEW)
	case PublishNotice:
		if c.Status != certification.StatusUNDER_REVIEW {
			return nil, wrong()
		}
		if noticeDays == 0 {
			noticeDays = 7
		}
		if noticeDays < MinNoticeDays || noticeDays > 60 {
			return nil, badInput("public notice lasts %d to 60 days", MinNoticeDays)
		}
		upd.SetStatus(certification.StatusPUBLIC_NOTICE).SetNoticeStart(now).SetNoticeEnd(now.AddDate(0, 0, noticeDays))
	case Object:
		if c.Status != certification.StatusPUBLIC_NOTICE {
			return nil, wrong()
		}
		if reason == "" {
			return nil, badInput("record the objection")
		}
		upd.SetStatus(certification.StatusUNDER_REVIEW).SetReason("objection: " + reason).ClearNoticeStart().ClearNoticeEnd()
	case Certify:
		if c.Status != certification.StatusPUBLIC_NOTICE {
			return nil, wrong()
		}
		if c.NoticeEnd == nil || now.Before(*c.NoticeEnd) {
			return nil, conflict("the public notice runs until %s", c.NoticeEnd.UTC().Format(time.RFC3339))
		}
		upd.SetStatus(certification.StatusCERTIFIED).SetValidFrom(now).SetValidUntil(now.Add(s.validity)).
			SetCertificateNumber(fmt.Sprintf("FP%s%d", now.Format("2006"), c.ID-(c.ID>>32<<32)))
	case RejectCert:
		if !slices.Contains(openStatuses, c.Status) {
			return nil, wrong()
		}
		if reason == "" {
			return nil, badInput("a reason is required to reject")
		}
		upd.SetStatus(certification.StatusREJECTED).SetReason(reason)
	case Revoke:
		if c.Status != certification.StatusCERTIFIED {
			return nil, wrong()
		}
		if reason == "" {
			return nil, badInput("a reason is required to revoke")
		}
		upd.SetStatus(certification.StatusREVOKED).SetReason(reason)
	default:
		return nil, badInput("unknown step %q", step)
	}
	c, err = upd.Save(ctx)
	if ent.IsNotFound(err) {
		return nil, conflict("certification changed while you were acting on it; reload it")
	}
	if err != nil {
		return nil, err
	}
	if err := syncProduct(viewer.AsSystem(ctx), tx.Client(), c); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return c.Unwrap(), nil
}

// ExpireCertifications moves certificates past their validity to EXPIRED.
// The server runs it periodically; catalog filters use certified_until, so
// a certificate stops counting at its end date even between runs.
func (s *Service) ExpireCertifications(ctx context.Context) (int, error) {
	ctx = viewer.AsSystem(ctx)
	tx, err := s.client.Tx(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback() //nolint:errcheck
	due, err := tx.Certification.Query().Where(certification.StatusEQ(certification.StatusCERTIFIED),
		certification.ValidUntilLTE(s.now())).All(ctx)
	if err != nil {
		return 0, err
	}
	for _, c := range due {
		c, err = tx.Certification.UpdateOne(c).SetStatus(certification.StatusEXPIRED).Save(ctx)
		if err != nil {
			return 0, err
		}
		if err := syncProduct(ctx, tx.Client(), c); err != nil {
			return 0, err
		}
	}
	return len(due), tx.Commit()
}

// syncProduct mirrors the latest certification onto the product, which the
// catalog filters and sorts on.
func syncProduct(ctx context.Context, c *ent.Client, cert *ent.Certification) error {
	u := c.Product.Update().Where(product.ID(cert.ProductID)).
		SetCertificationStatus(product.CertificationStatus(cert.Status))
	if cert.Status == certification.StatusCERTIFIED {
		u.SetCertifiedUntil(*cert.ValidUntil)
	} else {
		u.ClearCertifiedUntil()
	}
	return u.Exec(ctx)
}
