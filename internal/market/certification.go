package market

import (
	"context"
	"fmt"
	"time"

	"bangfu/ent"
	"bangfu/ent/certification"
	"bangfu/ent/product"
	"bangfu/internal/apperr"
	"bangfu/internal/audit"
	"bangfu/internal/gid"
	"bangfu/internal/store"
	"bangfu/internal/viewer"
	"bangfu/internal/workflow"
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

var certSteps = workflow.Steps[CertStep, certification.Status]{
	StartReview:   {From: []certification.Status{certification.StatusAPPLIED}, To: certification.StatusUNDER_REVIEW},
	PublishNotice: {From: []certification.Status{certification.StatusUNDER_REVIEW}, To: certification.StatusPUBLIC_NOTICE},
	Object:        {From: []certification.Status{certification.StatusPUBLIC_NOTICE}, To: certification.StatusUNDER_REVIEW, NeedsReason: true},
	Certify:       {From: []certification.Status{certification.StatusPUBLIC_NOTICE}, To: certification.StatusCERTIFIED},
	RejectCert:    {From: openStatuses, To: certification.StatusREJECTED, NeedsReason: true},
	Revoke:        {From: []certification.Status{certification.StatusCERTIFIED}, To: certification.StatusREVOKED, NeedsReason: true},
}

// ApplyCertification starts a certification for one of the supplier's
// products (the Certification policy checks whose). One application at a
// time; a valid certificate must lapse or be revoked before re-applying.
func (s *Service) ApplyCertification(ctx context.Context, productID int) (*ent.Certification, error) {
	var c *ent.Certification
	err := store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		var err error
		if c, err = tx.Certification.Create().SetProductID(productID).Save(ctx); err != nil {
			return err
		}
		sys := viewer.AsSystem(ctx) // the product's other certifications, whoever may see them
		busy, err := tx.Certification.Query().Where(certification.ProductID(productID), certification.IDNEQ(c.ID),
			certification.Or(
				certification.StatusIn(openStatuses...),
				certification.And(certification.StatusEQ(certification.StatusCERTIFIED), certification.ValidUntilGT(s.now())),
			)).Exist(sys)
		if err != nil {
			return err
		}
		if busy {
			return apperr.Conflict("the product already has an open application or a valid certificate")
		}
		return syncProduct(sys, tx, c)
	})
	if err != nil {
		return nil, err
	}
	return c.Unwrap(), nil
}

// StepCertification applies a certifier's step (the Certification policy
// checks that the caller certifies for the product's origin county).
// noticeDays applies to PublishNotice; reason to Object, RejectCert and
// Revoke.
func (s *Service) StepCertification(ctx context.Context, id int, action CertStep, noticeDays int, reason string) (*ent.Certification, error) {
	step, err := certSteps.Get(action)
	if err != nil {
		return nil, err
	}
	if reason, err = step.Reason(action, reason); err != nil {
		return nil, err
	}
	if action == PublishNotice {
		if noticeDays == 0 {
			noticeDays = 7
		}
		if noticeDays < MinNoticeDays || noticeDays > 60 {
			return nil, apperr.BadInput("public notice lasts %d to 60 days", MinNoticeDays)
		}
	}
	var c *ent.Certification
	err = store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		current, err := tx.Certification.Get(ctx, id)
		if ent.IsNotFound(err) {
			return apperr.NotFound("certification %s not found", gid.Ref(id))
		}
		if err != nil {
			return err
		}
		now := s.now()
		upd := tx.Certification.UpdateOneID(id).Where(certification.StatusIn(step.From...)).SetStatus(step.To)
		switch action {
		case PublishNotice:
			upd.SetNoticeStart(now).SetNoticeEnd(now.AddDate(0, 0, noticeDays))
		case Object:
			upd.SetReason("objection: " + reason).ClearNoticeStart().ClearNoticeEnd()
		case Certify:
			// Certified only once the public notice has run its course.
			upd.Where(certification.NoticeEndLTE(now)).SetValidFrom(now).SetValidUntil(now.Add(s.validity)).
				SetCertificateNumber(fmt.Sprintf("FP%s%d", now.Format("2006"), id-(id>>32<<32)))
		case RejectCert, Revoke:
			upd.SetReason(reason)
		}
		c, err = upd.Save(ctx)
		if ent.IsNotFound(err) {
			if action == Certify && step.Allows(current.Status) && current.NoticeEnd != nil && now.Before(*current.NoticeEnd) {
				return apperr.Conflict("the public notice runs until %s", current.NoticeEnd.UTC().Format(time.RFC3339)).
					WithStatus(current.Status.String())
			}
			return step.Refuse("certification", action, current.Status)
		}
		if err != nil {
			return err
		}
		return syncProduct(viewer.AsSystem(ctx), tx, c)
	})
	if err != nil {
		return nil, err
	}
	return c.Unwrap(), nil
}

// ExpireCertifications moves certificates past their validity to EXPIRED.
// The server runs it periodically; catalog filters use certified_until, so
// a certificate stops counting at its end date even between runs.
func (s *Service) ExpireCertifications(ctx context.Context) (int, error) {
	ctx = viewer.AsSystem(audit.WithinJob(ctx, "certificate-expiry")) // a scheduled job of the server's
	var n int
	err := store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		due, err := tx.Certification.Query().Where(certification.StatusEQ(certification.StatusCERTIFIED),
			certification.ValidUntilLTE(s.now())).All(ctx)
		if err != nil {
			return err
		}
		for _, c := range due {
			c, err = tx.Certification.UpdateOne(c).SetStatus(certification.StatusEXPIRED).Save(ctx)
			if err != nil {
				return err
			}
			if err := syncProduct(ctx, tx, c); err != nil {
				return err
			}
		}
		n = len(due)
		return nil
	})
	return n, err
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
