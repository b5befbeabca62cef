// Package period maps moments to the accounting periods officials report
// in. Assessment years and months follow China Standard Time (UTC+8, no
// daylight saving): a purchase settled at 20:00 UTC on 31 December counts
// toward the next year, as it does in the buyer's own books.
package period

import "time"

// CST is China Standard Time.
var CST = time.FixedZone("CST", 8*60*60)

// Of returns the year and month of t in China Standard Time.
func Of(t time.Time) (year, month int) {
	c := t.In(CST)
	return c.Year(), int(c.Month())
}

// YearStart is the first moment of the year in China Standard Time.
func YearStart(year int) time.Time { return time.Date(year, 1, 1, 0, 0, 0, 0, CST) }

// DayEnd is the first moment after the CST calendar day holding t: an
// agreement whose period ends on a day applies until then.
func DayEnd(t time.Time) time.Time {
	c := t.In(CST)
	return time.Date(c.Year(), c.Month(), c.Day()+1, 0, 0, 0, 0, CST)
}

// ElapsedShare is the share of the year elapsed at now, in [0, 1]: the
// linear schedule expects this share of a yearly target.
func ElapsedShare(year int, now time.Time) float64 {
	start, end := YearStart(year), YearStart(year+1)
	switch {
	case !now.After(start):
		return 0
	case !now.Before(end):
		return 1
	}
	return float64(now.Sub(start)) / float64(end.Sub(start))
}

// Date is a calendar day, comparable with < on its packed form.
type Date int

// DayOf is the CST calendar day of the moment t.
func DayOf(t time.Time) Date { c := t.In(CST); return pack(c.Year(), c.Month(), c.Day()) }

// StoredDay is the day a stored date field names. Date-only fields (an
// agreement's period) are stored as midnight UTC of that day.
func StoredDay(t time.Time) Date { u := t.UTC(); return pack(u.Year(), u.Month(), u.Day()) }

func pack(y int, m time.Month, d int) Date { return Date(y*10000 + int(m)*100 + d) }
