package audit

import (
	"fmt"
	"reflect"
	"time"
)

// redacted lists personal or secret fields whose values never enter the
// trail; the event still records that they changed.
var redacted = map[string]bool{
	"User.password_hash":             true,
	"HouseholdMember.name":           true,
	"HouseholdMember.id_number":      true,
	"HouseholdMember.id_number_hash": true,
	"HouseholdMember.phone":          true,
	"Household.responsible_cadre":    true,
	"Session.token_hash":             true,
	"Invitation.token_hash":          true,
}

// Redacted is what a redacted value becomes.
const Redacted = "[redacted]"

// Value is a field's value as the trail records it: redacted when
// personal, times in UTC to the microsecond (what the database keeps),
// enums by name, anything else as it is (the event is stored as JSON, and
// the transparency log seals it as read back).
func Value(typ, field string, v any) any {
	if redacted[typ+"."+field] {
		return Redacted
	}
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
	case *time.Time:
		if x == nil {
			return nil
		}
		return x.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
	case fmt.Stringer:
		// A nil *Enum is a Stringer too (the value method is in the
		// pointer's method set) and would panic: it is simply unset.
		if rv := reflect.ValueOf(x); rv.Kind() == reflect.Pointer && rv.IsNil() {
			return nil
		}
		return x.String()
	}
	return v
}
