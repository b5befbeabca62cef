// Package households keeps the registry of poor households (建档立卡):
// households and their members, reported incomes and exits, the import and
// export of the national record, and the benefit links (联农带农) through
// which suppliers' sales become household income. Who may change a
// household is decided by the privacy policies (the officials whose scope
// covers its county); this package decides input and state. Personal data
// (names, ID numbers, phones) never appears in its errors.
package households

import (
	"context"
	"errors"
	"strings"
	"time"

	"bangfu/ent"
	"bangfu/ent/annualincome"
	"bangfu/ent/household"
	"bangfu/ent/householdmember"
	"bangfu/ent/region"
	"bangfu/internal/apperr"
	"bangfu/internal/clock"
	"bangfu/internal/gid"
	"bangfu/internal/monitoring"
	"bangfu/internal/pii"
	"bangfu/internal/store"
	"bangfu/internal/validate"
	"bangfu/internal/viewer"
)

// Service keeps the registry.
type Service struct {
	client     *ent.Client
	now        clock.Clock
	monitoring *monitoring.Service
}

// New returns the service; monitoring gives the income lines exits are
// measured against.
func New(client *ent.Client, now clock.Clock, m *monitoring.Service) *Service {
	return &Service{client: client, now: now, monitoring: m}
}

// HouseholdInput holds a household's registered facts; nil leaves a field
// as it is (on update).
type HouseholdInput struct {
	Number         *string
	VillageID      *int
	Attribute      *household.Attribute
	MainCause      *household.MainCause
	SecondaryCause *household.SecondaryCause
	MonitoringType *household.MonitoringType
}

// CreateHousehold registers a household in a village.
func (s *Service) CreateHousehold(ctx context.Context, in HouseholdInput) (*ent.Household, error) {
	if in.Number == nil || in.VillageID == nil || in.MainCause == nil {
		return nil, apperr.BadInput("number, villageId and mainCause are required")
	}
	if err := s.checkHousehold(ctx, in); err != nil {
		return nil, err
	}
	var out *ent.Household
	err := store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		c := tx.Household.Create().SetNumber(strings.TrimSpace(*in.Number)).SetVillageID(*in.VillageID).
			SetMainCause(*in.MainCause).SetNillableAttribute(in.Attribute).SetNillableSecondaryCause(in.SecondaryCause).
			SetNillableMonitoringType(in.MonitoringType).SetMemberCount(1)
		var err error
		out, err = c.Save(ctx)
		if ent.IsConstraintError(err) {
			return apperr.Conflict("a household with that number (户编号) is registered already")
		}
		return inputError(err)
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

// UpdateHousehold changes a household's registered facts. Its village stays
// within its county (moving counties is a new registration there).
func (s *Service) UpdateHousehold(ctx context.Context, id int, in HouseholdInput) (*ent.Household, error) {
	if err := s.checkHousehold(ctx, in); err != nil {
		return nil, err
	}
	var out *ent.Household
	err := store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		h, err := tx.Household.Get(ctx, id)
		if ent.IsNotFound(err) {
			return apperr.NotFound("household %s not found", gid.Ref(id))
		}
		if err != nil {
			return err
		}
		u := tx.Household.UpdateOne(h).SetNillableAttribute(in.Attribute).SetNillableMainCause(in.MainCause).
			SetNillableSecondaryCause(in.SecondaryCause).SetNillableMonitoringType(in.MonitoringType)
		if in.Number != nil {
			u.SetNumber(strings.TrimSpace(*in.Number))
		}
		if in.VillageID != nil {
			v, err := tx.Region.Get(ctx, *in.VillageID)
			if err != nil {
				return err
			}
			if !strings.HasPrefix(v.Code, h.CountyCode) {
				return apperr.BadInput("villageId: a household moves within its county; register it anew in another")
			}
			u.SetVillageID(v.ID)
		}
		out, err = u.Save(ctx)
		if ent.IsConstraintError(err) {
			return apperr.Conflict("a household with that number (户编号) is registered already")
		}
		return inputError(err)
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

func (s *Service) checkHousehold(ctx context.Context, in HouseholdInput) error {
	if in.Number != nil {
		if n := strings.TrimSpace(*in.Number); n == "" || len(n) > 32 {
			return apperr.BadInput("number (户编号) is 1 to 32 characters")
		}
	}
	if in.VillageID != nil {
		v, err := s.client.Region.Get(ctx, *in.VillageID) // regions are public
		if ent.IsNotFound(err) || err == nil && v.Level != region.LevelVILLAGE {
			return apperr.BadInput("villageId must be a village (行政村)")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// MemberInput holds a member's facts; nil leaves a field as it is.
type MemberInput struct {
	Name, IDNumber, Phone, PersonNumber, BirthMonth *string
	Relation                                        *householdmember.Relation
	Health                                          *householdmember.Health
	LaborAbility                                    *householdmember.LaborAbility
	Schooling                                       *householdmember.Schooling
}

// AddMember adds a member to a household.
func (s *Service) AddMember(ctx context.Context, householdID int, in MemberInput) (*ent.HouseholdMember, error) {
	if in.Name == nil || in.Relation == nil {
		return nil, apperr.BadInput("name and relation are required")
	}
	band, err := s.checkMember(in)
	if err != nil {
		return nil, err
	}
	var out *ent.HouseholdMember
	err = store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		c := tx.HouseholdMember.Create().SetHouseholdID(householdID).SetName(strings.TrimSpace(*in.Name)).
			SetRelation(*in.Relation).SetAgeBand(band).SetNillableHealth(in.Health).
			SetNillableLaborAbility(in.LaborAbility).SetNillableSchooling(in.Schooling)
		setMember(c.Mutation(), in)
		var err error
		if out, err = c.Save(ctx); err != nil {
			if ent.IsConstraintError(err) {
				return apperr.BadInput("householdId: no such household")
			}
			return inputError(err)
		}
		if err := s.sameIDElsewhere(ctx, tx, out); err != nil {
			return err
		}
		return recount(ctx, tx, householdID)
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

// UpdateMember changes a member's facts.
func (s *Service) UpdateMember(ctx context.Context, id int, in MemberInput) (*ent.HouseholdMember, error) {
	band, err := s.checkMember(in)
	if err != nil {
		return nil, err
	}
	var out *ent.HouseholdMember
	err = store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		m, err := tx.HouseholdMember.Get(ctx, id)
		if ent.IsNotFound(err) {
			return apperr.NotFound("household member %s not found", gid.Ref(id))
		}
		if err != nil {
			return err
		}
		u := tx.HouseholdMember.UpdateOne(m).SetNillableRelation(in.Relation).SetNillableHealth(in.Health).
			SetNillableLaborAbility(in.LaborAbility).SetNillableSchooling(in.Schooling)
		if in.Name != nil {
			u.SetName(strings.TrimSpace(*in.Name))
		}
		if in.BirthMonth != nil || in.IDNumber != nil {
			u.SetAgeBand(band)
		}
		setMember(u.Mutation(), in)
		if out, err = u.Save(ctx); err != nil {
			return inputError(err)
		}
		return s.sameIDElsewhere(ctx, tx, out)
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

// RemoveMember records that a member left the household (deceased, married
// out, moved). Nothing is deleted: the record stays as history.
func (s *Service) RemoveMember(ctx context.Context, id int, reason string) (*ent.HouseholdMember, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || len([]rune(reason)) > 200 {
		return nil, apperr.BadInput("a reason (up to 200 characters) is required")
	}
	var out *ent.HouseholdMember
	err := store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		m, err := tx.HouseholdMember.Get(ctx, id)
		if ent.IsNotFound(err) {
			return apperr.NotFound("household member %s not found", gid.Ref(id))
		}
		if err != nil {
			return err
		}
		out, err = tx.HouseholdMember.UpdateOneID(id).Where(householdmember.RemovedAtIsNil()).
			SetRemovedAt(s.now()).SetRemovedReason(reason).Save(ctx)
		if ent.IsNotFound(err) {
			return apperr.Conflict("the member was removed already")
		}
		if err != nil {
			return err
		}
		return recount(ctx, tx, m.HouseholdID)
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

// checkMember checks a member's input and returns the age band its birth
// month (or its ID number's birth date) gives.
func (s *Service) checkMember(in MemberInput) (householdmember.AgeBand, error) {
	now := s.now()
	if in.Name != nil {
		if n := len([]rune(strings.TrimSpace(*in.Name))); n == 0 || n > 64 {
			return "", apperr.BadInput("name is 1 to 64 characters")
		}
	}
	var birth time.Time
	if in.IDNumber != nil && *in.IDNumber != "" {
		id := pii.NormalizeIDNumber(*in.IDNumber)
		if err := validate.ResidentID(id, now); err != nil {
			return "", apperr.BadInput("idNumber: %v", err)
		}
		birth, _ = time.Parse("20060102", id[6:14])
	}
	if in.BirthMonth != nil && *in.BirthMonth != "" {
		b, err := parseMonth(*in.BirthMonth)
		if err != nil || b.After(now) {
			return "", apperr.BadInput("birthMonth is a past month, YYYY-MM")
		}
		if !birth.IsZero() && (b.Year() != birth.Year() || b.Month() != birth.Month()) {
			return "", apperr.BadInput("birthMonth does not match the birth date in the ID number")
		}
		birth = b
	}
	if in.Phone != nil && *in.Phone != "" {
		if err := validate.Phone(*in.Phone); err != nil {
			return "", apperr.BadInput("phone: %v", err)
		}
	}
	return AgeBand(birth, now), nil
}

// setMember sets the optional text fields a member input names.
func setMember(m *ent.HouseholdMemberMutation, in MemberInput) {
	if in.IDNumber != nil {
		m.SetIDNumber(pii.NormalizeIDNumber(*in.IDNumber))
	}
	if in.Phone != nil {
		m.SetPhone(*in.Phone)
	}
	if in.PersonNumber != nil {
		m.SetPersonNumber(strings.TrimSpace(*in.PersonNumber))
	}
	if in.BirthMonth != nil {
		if b, err := parseMonth(*in.BirthMonth); err == nil {
			m.SetBirthMonth(b.Format("2006-01"))
		}
	}
}

// sameIDElsewhere refuses an ID number registered to a current member of
// another household: a person belongs to one household.
func (s *Service) sameIDElsewhere(ctx context.Context, tx *ent.Client, m *ent.HouseholdMember) error {
	if m.IDNumberHash == "" {
		return nil
	}
	dup, err := tx.HouseholdMember.Query().Where(householdmember.IDNumberHash(m.IDNumberHash),
		householdmember.IDNEQ(m.ID), householdmember.RemovedAtIsNil()).Exist(viewer.AsSystem(ctx))
	if err != nil {
		return err
	}
	if dup {
		return apperr.Conflict("idNumber: that person is a registered member of a household already")
	}
	return nil
}

// recount keeps a household's member count equal to its current members.
func recount(ctx context.Context, tx *ent.Client, householdID int) error {
	n, err := tx.HouseholdMember.Query().Where(householdmember.HouseholdID(householdID), householdmember.RemovedAtIsNil()).
		Count(viewer.AsSystem(ctx))
	if err != nil {
		return err
	}
	return tx.Household.UpdateOneID(householdID).SetMemberCount(max(n, 1)).Exec(ctx)
}

// AgeBand is the band of an age on a day; the zero birth date is unknown
// (16 to 35 is assumed).
func AgeBand(birth, on time.Time) householdmember.AgeBand {
	if birth.IsZero() {
		return householdmember.AgeBandAGE_16_35
	}
	age := on.Year() - birth.Year()
	if on.YearDay() < birth.YearDay() {
		age--
	}
	switch {
	case age < 16:
		return householdmember.AgeBandUNDER_16
	case age <= 35:
		return householdmember.AgeBandAGE_16_35
	case age <= 59:
		return householdmember.AgeBandAGE_36_59
	}
	return householdmember.AgeBandAGE_60_PLUS
}

func parseMonth(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01", "200601", "2006.01", "2006/01", "2006年01月", "2006年1月"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Parse("2006-01", s)
}

// IncomeInput records a household's reported income for a year and the
// 两不愁三保障 checks made then (nil: not checked).
type IncomeInput struct {
	HouseholdID                                       int
	Year                                              int
	PerCapitaFen                                      int64
	FoodClothingOK, SchoolingOK, MedicalOK, HousingOK *bool
}

// RecordAnnualIncome records (or corrects) a year's reported income.
func (s *Service) RecordAnnualIncome(ctx context.Context, in IncomeInput) (*ent.AnnualIncome, error) {
	if in.Year < 2000 || in.Year > s.now().Year() {
		return nil, apperr.BadInput("year must be 2000 to this year")
	}
	if in.PerCapitaFen < 0 {
		return nil, apperr.BadInput("perCapitaNetIncomeFen is not negative")
	}
	var out *ent.AnnualIncome
	err := store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		c := tx.AnnualIncome.Create().SetHouseholdID(in.HouseholdID).SetYear(in.Year).SetPerCapitaNetIncomeFen(in.PerCapitaFen).
			SetNillableFoodClothingOk(in.FoodClothingOK).SetNillableSchoolingOk(in.SchoolingOK).
			SetNillableMedicalOk(in.MedicalOK).SetNillableHousingOk(in.HousingOK).
			OnConflictColumns(annualincome.FieldHouseholdID, annualincome.FieldYear).UpdatePerCapitaNetIncomeFen().UpdateUpdatedAt()
		for _, f := range []struct {
			v   *bool
			set func(*ent.AnnualIncomeUpsert) *ent.AnnualIncomeUpsert
		}{
			{in.FoodClothingOK, (*ent.AnnualIncomeUpsert).UpdateFoodClothingOk},
			{in.SchoolingOK, (*ent.AnnualIncomeUpsert).UpdateSchoolingOk},
			{in.MedicalOK, (*ent.AnnualIncomeUpsert).UpdateMedicalOk},
			{in.HousingOK, (*ent.AnnualIncomeUpsert).UpdateHousingOk},
		} {
			if f.v != nil {
				c.Update(func(u *ent.AnnualIncomeUpsert) { f.set(u) })
			}
		}
		id, err := c.ID(ctx)
		if ent.IsConstraintError(err) {
			return apperr.BadInput("householdId: no such household")
		}
		if err != nil {
			return err
		}
		out, err = tx.AnnualIncome.Get(ctx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

// Exit records that a household left poverty in year (脱贫, DOMAIN rule
// 13): its per-capita income that year is above its province's line (the
// monitoring threshold) and 两不愁三保障 were checked and met. Nothing is
// deleted; the exit year is recorded.
func (s *Service) Exit(ctx context.Context, householdID, year int) (*ent.Household, error) {
	var out *ent.Household
	err := store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		// The update comes first, so that who may record an exit is
		// decided (by the Household policy) before whether it may happen;
		// a refusal below rolls it back.
		var err error
		out, err = tx.Household.UpdateOneID(householdID).Where(household.StatusNEQ(household.StatusEXITED)).
			SetStatus(household.StatusEXITED).SetExitYear(year).Save(ctx)
		if ent.IsNotFound(err) {
			exists, err := tx.Household.Query().Where(household.ID(householdID)).Exist(ctx)
			if err != nil {
				return err
			}
			if !exists {
				return apperr.NotFound("household %s not found", gid.Ref(householdID))
			}
			return apperr.Conflict("the household has exited already").WithStatus(household.StatusEXITED.String())
		}
		if err != nil {
			return err
		}
		h := out
		report, err := tx.AnnualIncome.Query().Where(annualincome.HouseholdID(h.ID), annualincome.Year(year)).Only(ctx)
		if ent.IsNotFound(err) {
			return apperr.Conflict("record the %d income and the 两不愁三保障 checks first (recordAnnualIncome)", year)
		}
		if err != nil {
			return err
		}
		for name, ok := range map[string]*bool{"food and clothing": report.FoodClothingOk, "schooling": report.SchoolingOk,
			"medical care": report.MedicalOk, "safe housing": report.HousingOk} {
			if ok == nil || !*ok {
				return apperr.Conflict("the %d check of %s is not recorded as met", year, name)
			}
		}
		income, err := s.monitoring.HouseholdIncome(ctx, h.ID, year)
		if err != nil {
			return err
		}
		if income.ThresholdFen == nil {
			return apperr.Conflict("the province has no %d income line (setMonitoringThreshold)", year)
		}
		if income.PerCapitaFen <= *income.ThresholdFen {
			return apperr.Conflict("per-capita income %d fen is not above the province's %d line of %d fen",
				income.PerCapitaFen, year, *income.ThresholdFen)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

// inputError turns ent validation failures into BAD_USER_INPUT without the
// value (which may be personal data).
func inputError(err error) error {
	var v *ent.ValidationError
	if errors.As(err, &v) {
		return apperr.BadInput("%s is not valid", v.Name)
	}
	return err
}
