package integrity

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"bangfu/ent"
	"bangfu/ent/flag"
	"bangfu/ent/indicatorsetting"
	"bangfu/ent/ledgerentry"
	"bangfu/ent/order"
	"bangfu/ent/orderline"
	"bangfu/internal/apperr"
	"bangfu/internal/attribution"
	"bangfu/internal/clock"
	"bangfu/internal/gid"
	"bangfu/internal/store"
	"bangfu/internal/viewer"
)

// Service raises, lists and reviews flags and keeps the indicators'
// settings.
type Service struct {
	client *ent.Client
	now    clock.Clock
}

// New returns the service.
func New(client *ent.Client, now clock.Clock) *Service {
	return &Service{client: client, now: now}
}

// Raise records the finding as an OPEN flag, in the transaction tx belongs
// to, unless a flag with its code and subject exists already (whatever its
// status: a dismissed finding stays dismissed). It reports whether it
// raised one. Call it as the server (viewer.AsSystem): flags are raised by
// the engine, never by a person. It is the one way to raise a flag, for the
// indicators here and for other packages' checks (verification visits).
func Raise(ctx context.Context, tx *ent.Client, f Finding) (*ent.Flag, bool, error) {
	existing, err := tx.Flag.Query().Where(flag.Code(f.Code), flag.SubjectKey(f.Key())).Only(ctx)
	if err == nil {
		return existing, false, nil
	}
	if !ent.IsNotFound(err) {
		return nil, false, err
	}
	c, err := create(tx, f)
	if err != nil {
		return nil, false, err
	}
	fl, err := c.Save(ctx)
	if ent.IsConstraintError(err) {
		return nil, false, apperr.Conflict("flag %s on %s was raised concurrently", f.Code, f.Key())
	}
	return fl, err == nil, err
}

// create builds the insert of a finding.
func create(tx *ent.Client, f Finding) (*ent.FlagCreate, error) {
	if !flagCodeOK(f.Code) || len(f.Subjects) == 0 {
		return nil, fmt.Errorf("integrity: malformed finding %q on %v", f.Code, f.Subjects)
	}
	subjects, err := refs(f.Subjects)
	if err != nil {
		return nil, err
	}
	evidence, err := refs(f.Evidence)
	if err != nil {
		return nil, err
	}
	score := f.Score
	if math.IsNaN(score) || math.IsInf(score, 0) {
		score = 0
	}
	summary := f.Summary
	if len(summary) > 1000 {
		summary = summary[:997] + "…"
	}
	c := tx.Flag.Create().SetCode(f.Code).SetSubjectType(flag.SubjectType(f.SubjectType)).SetSubjects(subjects).
		SetSubjectKey(f.Key()).SetScore(score).SetSummary(summary).SetEvidence(evidence).SetThresholds(f.Thresholds)
	if f.OrderID != 0 {
		c.SetOrderID(f.OrderID)
	}
	return c, nil
}

func flagCodeOK(code string) bool {
	if len(code) < 2 || len(code) > 64 || code[0] < 'A' || code[0] > 'Z' {
		return false
	}
	return strings.Trim(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == ""
}

// refs turns raw keys into global IDs.
func refs(ids []int) ([]string, error) {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		s, err := gid.Encode(id)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// raiseAll raises the findings that have no flag yet, in batches, and
// returns the flags it raised. Findings with one key are raised once.
func raiseAll(ctx context.Context, tx *ent.Client, code string, fs []Finding) ([]*ent.Flag, error) {
	if len(fs) == 0 {
		return nil, nil
	}
	keys, err := tx.Flag.Query().Where(flag.Code(code)).Select(flag.FieldSubjectKey).Strings(ctx)
	if err != nil {
		return nil, err
	}
	have := make(map[string]bool, len(keys))
	for _, k := range keys {
		have[k] = true
	}
	var out []*ent.Flag
	var batch []*ent.FlagCreate
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		got, err := tx.Flag.CreateBulk(batch...).Save(ctx)
		if ent.IsConstraintError(err) {
			return apperr.Conflict("flags of %s were raised concurrently; run the scan again", code)
		}
		out = append(out, got...)
		batch = batch[:0]
		return err
	}
	for _, f := range fs {
		if have[f.Key()] {
			continue
		}
		have[f.Key()] = true
		c, err := create(tx, f)
		if err != nil {
			return nil, err
		}
		if batch = append(batch, c); len(batch) == 500 {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	return out, flush()
}

// SettingsOf returns every indicator's settings: the defaults overlaid
// with what an ADMIN set.
func SettingsOf(ctx context.Context, c *ent.Client) (map[string]Settings, error) {
	rows, err := c.IndicatorSetting.Query().All(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]Settings{}
	for code, d := range Defaults {
		d.Params = cloneParams(d.Params)
		out[code] = d
	}
	for _, r := range rows {
		s, ok := out[r.Code]
		if !ok {
			continue
		}
		s.Enabled, s.K, s.MinSample = r.Enabled, r.FenceMultiplier, r.MinSample
		for k, v := range r.Params {
			if _, known := s.Params[k]; known {
				s.Params[k] = v
			}
		}
		out[r.Code] = s
	}
	return out, nil
}

func cloneParams(p map[string]float64) map[string]float64 {
	out := make(map[string]float64, len(p))
	for k, v := range p {
		out[k] = v
	}
	return out
}

// Setting is one indicator's settings, for reading.
type Setting struct {
	Code string
	Settings
}

// Settings lists every indicator's settings (AUDITOR, ADMIN).
func (s *Service) Settings(ctx context.Context) ([]*Setting, error) {
	if v := viewer.FromContext(ctx); !v.Has(viewer.Auditor, viewer.Admin) && !v.IsSystem() {
		if !v.Authenticated() {
			return nil, apperr.Unauthenticated("sign in to see the indicators")
		}
		return nil, apperr.Forbidden("auditors and admins see the indicators' settings")
	}
	all, err := SettingsOf(viewer.AsSystem(ctx), s.client)
	if err != nil {
		return nil, err
	}
	out := make([]*Setting, 0, len(Codes))
	for _, c := range Codes {
		out = append(out, &Setting{Code: c, Settings: all[c]})
	}
	return out, nil
}

// SettingInput changes an indicator's settings; nil leaves a value as is.
type SettingInput struct {
	Code            string
	Enabled         *bool
	FenceMultiplier *float64
	MinSample       *int
	Params          map[string]float64
}

// SetSetting changes an indicator's settings (ADMIN, by the IndicatorSetting
// policy; audited like every change).
func (s *Service) SetSetting(ctx context.Context, in SettingInput) (*Setting, error) {
	d, ok := Defaults[in.Code]
	if !ok {
		return nil, apperr.BadInput("unknown indicator %q (one of %s)", in.Code, strings.Join(Codes, ", "))
	}
	if in.FenceMultiplier != nil && (*in.FenceMultiplier < 0 || *in.FenceMultiplier > 100 || math.IsNaN(*in.FenceMultiplier)) {
		return nil, apperr.BadInput("fenceMultiplier must be 0–100")
	}
	if in.MinSample != nil && (*in.MinSample < 1 || *in.MinSample > 1_000_000) {
		return nil, apperr.BadInput("minSample must be 1–1000000")
	}
	for k, v := range in.Params {
		if _, known := d.Params[k]; !known {
			names := make([]string, 0, len(d.Params))
			for n := range d.Params {
				names = append(names, n)
			}
			sort.Strings(names)
			return nil, apperr.BadInput("%s has no limit %q (its limits: %s)", in.Code, k, strings.Join(names, ", "))
		}
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, apperr.BadInput("limit %s must be a non-negative number", k)
		}
	}
	err := store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		row, err := tx.IndicatorSetting.Query().Where(indicatorsetting.Code(in.Code)).Only(viewer.AsSystem(ctx))
		if ent.IsNotFound(err) {
			c := tx.IndicatorSetting.Create().SetCode(in.Code).SetEnabled(d.Enabled).SetFenceMultiplier(d.K).
				SetMinSample(d.MinSample).SetParams(map[string]float64{})
			row, err = c.Save(ctx)
		}
		if err != nil {
			return err
		}
		upd := tx.IndicatorSetting.UpdateOne(row)
		if in.Enabled != nil {
			upd.SetEnabled(*in.Enabled)
		}
		if in.FenceMultiplier != nil {
			upd.SetFenceMultiplier(*in.FenceMultiplier)
		}
		if in.MinSample != nil {
			upd.SetMinSample(*in.MinSample)
		}
		if len(in.Params) > 0 {
			p := cloneParams(row.Params)
			for k, v := range in.Params {
				p[k] = v
			}
			upd.SetParams(p)
		}
		return upd.Exec(ctx)
	})
	if err != nil {
		return nil, err
	}
	all, err := SettingsOf(viewer.AsSystem(ctx), s.client)
	if err != nil {
		return nil, err
	}
	return &Setting{Code: in.Code, Settings: all[in.Code]}, nil
}

// Decision is an auditor's review of a flag.
type Decision string

// The decisions.
const (
	Confirm Decision = "CONFIRM"
	Dismiss Decision = "DISMISS"
)

// reviewFrom lists the states a decision moves a flag from: an open flag
// is confirmed or dismissed; a confirmed one may later be dismissed (its
// credits are re-booked).
var reviewFrom = map[Decision][]flag.Status{
	Confirm: {flag.StatusOPEN},
	Dismiss: {flag.StatusOPEN, flag.StatusCONFIRMED},
}

// Review confirms or dismisses a flag with a reason (AUDITOR, by the Flag
// policy). Confirming a flag on an order excludes the order's credits from
// agreement progress through reversing ledger entries that name the flag;
// dismissing a confirmed one re-books them the same way. The ledger is
// never edited.
func (s *Service) Review(ctx context.Context, id int, d Decision, reason string) (*ent.Flag, error) {
	from, ok := reviewFrom[d]
	if !ok {
		return nil, apperr.BadInput("decision must be CONFIRM or DISMISS")
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 1000 {
		return nil, apperr.BadInput("a reason (1–1000 characters) is required")
	}
	var out *ent.Flag
	err := store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		current, err := tx.Flag.Get(ctx, id)
		if ent.IsNotFound(err) {
			return apperr.NotFound("flag %s not found", gid.Ref(id))
		}
		if err != nil {
			return err
		}
		to := flag.StatusCONFIRMED
		if d == Dismiss {
			to = flag.StatusDISMISSED
		}
		upd := tx.Flag.UpdateOneID(id).Where(flag.StatusIn(from...)).SetStatus(to).SetReason(reason).
			SetReviewedAt(s.now().UTC())
		if p := viewer.FromContext(ctx).Person(); p != 0 {
			upd.SetReviewerID(p)
		}
		out, err = upd.Save(ctx)
		if ent.IsNotFound(err) {
			return apperr.Conflict("the flag is %s; it cannot be %s", current.Status,
				map[Decision]string{Confirm: "confirmed", Dismiss: "dismissed"}[d]).WithStatus(current.Status.String())
		}
		if err != nil || out.OrderID == nil {
			return err
		}
		// The ledger work is the server's own, on the auditor's behalf.
		sys := viewer.AsSystem(ctx)
		if to == flag.StatusCONFIRMED {
			return exclude(sys, tx, out)
		}
		if current.Status == flag.StatusCONFIRMED {
			return rebook(sys, tx, out)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

// exclude reverses every credit of the flag's order that still counts,
// naming the flag. A refunded order has none left.
func exclude(ctx context.Context, tx *ent.Client, f *ent.Flag) error {
	entries, err := attribution.OrderEntries(ctx, tx, *f.OrderID)
	if err != nil {
		return err
	}
	note := fmt.Sprintf("excluded: flag %s (%s) confirmed", gid.Ref(f.ID), f.Code)
	var out []*ent.LedgerEntryCreate
	for _, e := range attribution.Standing(entries) {
		if e.Kind != ledgerentry.KindATTRIBUTION_CREDIT {
			continue
		}
		out = append(out, attribution.Copy(tx, e).SetAmount(-e.Amount).SetReversesID(e.ID).SetFlagID(f.ID).
			SetOccurredAt(e.OccurredAt).SetNote(note))
	}
	return book(ctx, tx, out)
}

// rebook books again, as new credits naming the flag, what its
// confirmation reversed, unless the order has been refunded since (then
// nothing of it counts any more).
func rebook(ctx context.Context, tx *ent.Client, f *ent.Flag) error {
	o, err := tx.Order.Get(ctx, *f.OrderID)
	if err != nil {
		return err
	}
	if o.Status == order.StatusREFUNDED {
		return nil
	}
	entries, err := attribution.OrderEntries(ctx, tx, *f.OrderID)
	if err != nil {
		return err
	}
	byID := map[int]*ent.LedgerEntry{}
	for _, e := range entries {
		byID[e.ID] = e
	}
	note := fmt.Sprintf("re-booked: flag %s (%s) dismissed", gid.Ref(f.ID), f.Code)
	var out []*ent.LedgerEntryCreate
	for _, r := range entries {
		if r.FlagID == nil || *r.FlagID != f.ID || r.ReversesID == nil {
			continue
		}
		e := byID[*r.ReversesID]
		out = append(out, attribution.Copy(tx, e).SetAmount(e.Amount).SetFlagID(f.ID).
			SetOccurredAt(e.OccurredAt).SetNote(note))
	}
	return book(ctx, tx, out)
}

// book writes the review's entries. A reversal of an entry that a
// concurrent refund reversed first breaks the one-reversal-per-entry
// constraint: the review loses the race and says so.
func book(ctx context.Context, tx *ent.Client, entries []*ent.LedgerEntryCreate) error {
	if len(entries) == 0 {
		return nil
	}
	err := tx.LedgerEntry.CreateBulk(entries...).Exec(ctx)
	if ent.IsConstraintError(err) {
		return apperr.Conflict("the order's ledger entries changed while the flag was reviewed; review it again")
	}
	return err
}

// UnderOpenFlags sums, per indicator, the credits still counting in the
// agreement versions' year that belong to orders with an open flag: how
// much of each target an auditor's confirmation could still take away.
func UnderOpenFlags(ctx context.Context, c *ent.Client, versions []int, year int) (map[string]int64, error) {
	orders, err := c.Flag.Query().Where(flag.StatusEQ(flag.StatusOPEN), flag.OrderIDNotNil()).
		Select(flag.FieldOrderID).Ints(ctx)
	if err != nil || len(orders) == 0 {
		return nil, err
	}
	slices.Sort(orders)
	orders = slices.Compact(orders)
	out := map[string]int64{}
	for chunk := 0; chunk < len(orders); chunk += 1000 {
		var sums []struct {
			Indicator string `json:"indicator"`
			Sum       int64  `json:"sum"`
		}
		err := c.LedgerEntry.Query().Where(ledgerentry.KindEQ(ledgerentry.KindATTRIBUTION_CREDIT),
			ledgerentry.AgreementIDIn(versions...), ledgerentry.Year(year),
			ledgerentry.HasOrderLineWith(orderline.OrderIDIn(orders[chunk:min(chunk+1000, len(orders))]...))).
			GroupBy(ledgerentry.FieldIndicator).Aggregate(ent.Sum(ledgerentry.FieldAmount)).Scan(ctx, &sums)
		if err != nil {
			return nil, err
		}
		for _, s := range sums {
			out[s.Indicator] += s.Sum
		}
	}
	return out, nil
}

// ExportHeader is the header of the flags export.
var ExportHeader = []string{"编号 ID", "指标 Code", "对象类型 Subject type", "对象 Subjects", "订单 Order", "分值 Score",
	"说明 Summary", "证据 Evidence", "阈值 Thresholds", "状态 Status", "复核人 Reviewer", "理由 Reason", "发现时间 Raised at", "复核时间 Reviewed at"}

// Export lists the flags (optionally of one status and code) as rows for
// auditors' spreadsheets, oldest first. It reads as the caller: the Flag
// policy decides who may (AUDITOR, ADMIN).
func (s *Service) Export(ctx context.Context, status, code string) ([][]any, error) {
	q := s.client.Flag.Query().Order(ent.Asc(flag.FieldID)).WithReviewer()
	if status != "" {
		st := flag.Status(status)
		if err := flag.StatusValidator(st); err != nil {
			return nil, apperr.BadInput("status must be OPEN, CONFIRMED or DISMISSED")
		}
		q.Where(flag.StatusEQ(st))
	}
	if code != "" {
		q.Where(flag.Code(code))
	}
	fs, err := q.All(ctx)
	if err != nil {
		return nil, err
	}
	rows := make([][]any, 0, len(fs))
	for _, f := range fs {
		th, _ := json.Marshal(f.Thresholds)
		row := []any{gid.Ref(f.ID), f.Code, f.SubjectType.String(), strings.Join(f.Subjects, " "), "", f.Score, f.Summary,
			strings.Join(f.Evidence, " "), string(th), f.Status.String(), "", f.Reason, f.RaisedAt.UTC().Format(time.RFC3339), ""}
		if f.OrderID != nil {
			row[4] = gid.Ref(*f.OrderID)
		}
		if u := f.Edges.Reviewer; u != nil {
			row[10] = u.Email
		}
		if f.ReviewedAt != nil {
			row[13] = f.ReviewedAt.UTC().Format(time.RFC3339)
		}
		rows = append(rows, row)
	}
	return rows, nil
}
