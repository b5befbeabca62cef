package households

import (
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"bangfu/ent/household"
	"bangfu/ent/householdmember"
	"bangfu/internal/pii"
	"bangfu/internal/validate"
)

// Columns are the columns of the national poor-household record (全国扶贫开发信息系统 建档立卡户信息),
// as bangfu imports and exports it: one row per member, the household's
// columns repeated on each of its members' rows, a household's rows
// together. Coded columns take the record's Chinese label or bangfu's enum
// name (ILLNESS for 因病).
var Columns = []string{
	colNumber, colProvince, colCity, colCounty, colTownship, colVillage,
	colHead, colName, colIDNumber, colRelation, colBirthMonth, colHealth, colLabor, colSchooling,
	colMainCause, colSecondaryCause, colAttribute, colIncome, colExitYear, colMonitoringType, colPhone,
}

const (
	colNumber          = "户编号"
	colProvince        = "省代码"
	colCity            = "市代码"
	colCounty          = "县代码"
	colTownship        = "乡代码"
	colVillage         = "村代码"
	colHead            = "户主姓名"
	colName            = "成员姓名"
	colIDNumber        = "身份证号"
	colRelation        = "与户主关系"
	colBirthMonth      = "出生年月"
	colHealth          = "健康状况"
	colLabor           = "劳动技能"
	colSchooling       = "在校生状况"
	colMainCause       = "主要致贫原因"
	colSecondaryCause  = "次要致贫原因"
	colAttribute       = "贫困户属性"
	colIncome          = "人均纯收入"
	colExitYear        = "脱贫年度"
	colMonitoringType  = "监测对象类型"
	colPhone           = "联系电话"
	requiredColumnList = colNumber + ", " + colVillage + ", " + colName + ", " + colRelation + ", " + colMainCause
)

// Labels are the record's Chinese labels of each coded column's values.
var (
	causeLabels = map[string]string{
		"因病": "ILLNESS", "因残": "DISABILITY", "因学": "SCHOOLING", "因灾": "DISASTER", "缺土地": "LACK_OF_LAND",
		"缺水": "LACK_OF_WATER", "缺技术": "LACK_OF_SKILLS", "缺劳力": "LACK_OF_LABOR", "缺资金": "LACK_OF_FUNDS",
		"交通条件落后": "POOR_TRANSPORT", "自身发展动力不足": "LACK_OF_MOTIVATION", "其他": "OTHER",
	}
	attributeLabels  = map[string]string{"一般贫困户": "GENERAL", "低保贫困户": "MINIMUM_LIVING", "特困供养贫困户": "FIVE_GUARANTEES"}
	monitoringLabels = map[string]string{"脱贫不稳定户": "UNSTABLE_EXITED", "边缘易致贫户": "MARGINAL", "突发严重困难户": "SUDDEN_HARDSHIP"}
	relationLabels   = map[string]string{
		"户主": "HEAD", "配偶": "SPOUSE", "子女": "CHILD", "之子": "CHILD", "之女": "CHILD", "父母": "PARENT", "之父": "PARENT",
		"之母": "PARENT", "孙子女": "GRANDCHILD", "之孙子": "GRANDCHILD", "之孙女": "GRANDCHILD", "兄弟姐妹": "SIBLING", "其他": "OTHER",
	}
	healthLabels    = map[string]string{"健康": "HEALTHY", "长期慢性病": "CHRONIC_ILLNESS", "患有大病": "SERIOUS_ILLNESS", "残疾": "DISABLED"}
	laborLabels     = map[string]string{"普通劳动力": "NORMAL", "技能劳动力": "NORMAL", "弱劳动力或半劳动力": "WEAK", "丧失劳动力": "NONE", "无劳动力": "NONE"}
	schoolingLabels = map[string]string{
		"非在校生": "NONE", "学前教育": "PRESCHOOL", "小学": "PRIMARY", "初中": "JUNIOR", "高中": "SENIOR", "中职": "VOCATIONAL", "大专及以上": "COLLEGE",
	}
)

// labelOf is the record's label of an enum value (the first label that
// names it, in a fixed order), for the export.
func labelOf(labels map[string]string, value string) string {
	best := ""
	for label, v := range labels {
		if v == value && (best == "" || label < best) {
			best = label
		}
	}
	if best == "" {
		return value
	}
	return best
}

// Problem is one thing wrong with an imported file: where (the row as a
// spreadsheet numbers it, the header being row 1) and what. It never
// quotes a personal value.
type Problem struct {
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Message string `json:"message"`
}

// recordMember is one member row, checked.
type recordMember struct {
	row                           int
	name, idNumber, idHash, phone string
	birthMonth                    string // YYYY-MM or ""
	relation                      householdmember.Relation
	health                        householdmember.Health
	labor                         householdmember.LaborAbility
	schooling                     householdmember.Schooling
	ageBand                       householdmember.AgeBand
}

// recordHousehold is one household of the file, checked.
type recordHousehold struct {
	row                       int // its first row
	number, villageCode, head string
	mainCause                 household.MainCause
	secondaryCause            *household.SecondaryCause
	attribute                 household.Attribute
	monitoringType            *household.MonitoringType
	incomeFen                 *int64
	exitYear                  *int
	members                   []recordMember // kept only when the rows are read to be written
	memberRows, heads         int
}

// rowReader checks the rows of a file one at a time. Checking a whole
// file keeps each household's columns but not its members (so that a
// province's record fits in little memory); reading a window of it to
// write keeps the members too.
type rowReader struct {
	index       map[string]int // column → position
	now         time.Time
	keepMembers bool
	problems    []Problem
	// households in file order; byNumber finds a household's record.
	households []*recordHousehold
	byNumber   map[string]*recordHousehold
	ids        map[[32]byte]int // ID-number hash → row, to refuse a person twice
	rows       int
}

const maxProblems = 1000

func (r *rowReader) problem(row int, column, format string, args ...any) {
	if len(r.problems) < maxProblems {
		r.problems = append(r.problems, Problem{Row: row, Column: column, Message: fmt.Sprintf(format, args...)})
	}
}

// header reads the header row: every column of Columns that is required
// must be there; unknown columns are refused (a misspelt header would
// silently drop data).
func newRowReader(header []string, now time.Time) (*rowReader, error) {
	r := &rowReader{index: map[string]int{}, now: now, byNumber: map[string]*recordHousehold{}, ids: map[[32]byte]int{}}
	known := map[string]bool{}
	for _, c := range Columns {
		known[c] = true
	}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if !known[h] {
			return nil, fmt.Errorf("column %d: unknown column %q; the columns are: %s", i+1, h, strings.Join(Columns, ", "))
		}
		if _, dup := r.index[h]; dup {
			return nil, fmt.Errorf("column %d: %s appears twice", i+1, h)
		}
		r.index[h] = i
	}
	for _, c := range strings.Split(requiredColumnList, ", ") {
		if _, ok := r.index[c]; !ok {
			return nil, fmt.Errorf("the column %s is missing; required: %s", c, requiredColumnList)
		}
	}
	return r, nil
}

// window is an empty reader of the same file's rows that keeps members.
func (r *rowReader) window() *rowReader {
	return &rowReader{index: r.index, now: r.now, keepMembers: true, byNumber: map[string]*recordHousehold{}, ids: map[[32]byte]int{}}
}

// number is a row's 户编号.
func (r *rowReader) number(rec []string) string {
	if i, ok := r.index[colNumber]; ok && i < len(rec) {
		return strings.TrimSpace(rec[i])
	}
	return ""
}

// read checks one row (numbered as a spreadsheet shows it).
func (r *rowReader) read(row int, rec []string) {
	r.rows++
	get := func(col string) string {
		if i, ok := r.index[col]; ok && i < len(rec) {
			// A copy: a CSV reader's fields share the row's memory, which a
			// kept name would otherwise keep whole.
			return strings.Clone(strings.TrimSpace(rec[i]))
		}
		return ""
	}
	number := get(colNumber)
	if number == "" || len(number) > 32 {
		r.problem(row, colNumber, "户编号 is required, at most 32 characters")
		return
	}
	h := r.byNumber[number]
	if h == nil {
		h = r.household(row, number, get)
		r.byNumber[number] = h
		r.households = append(r.households, h)
	} else if last := r.households[len(r.households)-1]; last != h {
		r.problem(row, colNumber, "duplicate 户编号: this household's rows already ended at another household (keep a household's rows together)")
		return
	} else {
		r.sameHousehold(row, h, get)
	}
	if m, ok := r.member(row, get); ok {
		h.memberRows++
		if m.relation == householdmember.RelationHEAD {
			h.heads++
		}
		if r.keepMembers {
			h.members = append(h.members, m)
		}
	}
}

// household checks the household columns of a household's first row.
func (r *rowReader) household(row int, number string, get func(string) string) *recordHousehold {
	h := &recordHousehold{row: row, number: number, villageCode: get(colVillage), head: get(colHead), attribute: household.AttributeGENERAL}
	if len(h.villageCode) != 12 || !digits(h.villageCode) {
		r.problem(row, colVillage, "村代码 is the village's 12-digit code")
	} else {
		for _, col := range []string{colProvince, colCity, colCounty, colTownship} {
			v := get(col)
			prefix := v
			if len(v) == 6 {
				prefix = validate.RegionPrefix(v)
			}
			if v != "" && !strings.HasPrefix(h.villageCode, prefix) {
				r.problem(row, col, "%s does not contain the village's code", col)
			}
		}
	}
	if v, ok := r.enum(row, colMainCause, get(colMainCause), causeLabels, true); ok {
		h.mainCause = household.MainCause(v)
	}
	if v, ok := r.enum(row, colSecondaryCause, get(colSecondaryCause), causeLabels, false); ok && v != "" {
		c := household.SecondaryCause(v)
		h.secondaryCause = &c
	}
	if v, ok := r.enum(row, colAttribute, get(colAttribute), attributeLabels, false); ok && v != "" {
		h.attribute = household.Attribute(v)
	}
	if v, ok := r.enum(row, colMonitoringType, get(colMonitoringType), monitoringLabels, false); ok && v != "" {
		t := household.MonitoringType(v)
		h.monitoringType = &t
	}
	if v := get(colIncome); v != "" {
		fen, err := yuanToFen(v)
		if err != nil {
			r.problem(row, colIncome, "人均纯收入 is yuan, such as 8650.50")
		} else {
			h.incomeFen = &fen
		}
	}
	if v := get(colExitYear); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil || y < 2014 || y > r.now.Year() {
			r.problem(row, colExitYear, "脱贫年度 is a year from 2014 to this year")
		} else {
			h.exitYear = &y
		}
	}
	return h
}

// sameHousehold checks that a later row repeats its household's columns.
func (r *rowReader) sameHousehold(row int, h *recordHousehold, get func(string) string) {
	if v := get(colVillage); v != "" && v != h.villageCode {
		r.problem(row, colVillage, "村代码 differs from the household's first row (row %d)", h.row)
	}
	if v := get(colHead); v != "" && v != h.head {
		r.problem(row, colHead, "户主姓名 differs from the household's first row (row %d)", h.row)
	}
}

// member checks the member columns of a row.
func (r *rowReader) member(row int, get func(string) string) (recordMember, bool) {
	m := recordMember{row: row, name: get(colName), phone: get(colPhone), health: householdmember.HealthHEALTHY,
		labor: householdmember.LaborAbilityNORMAL, schooling: householdmember.SchoolingNONE}
	ok := true
	if n := len([]rune(m.name)); n == 0 || n > 64 {
		r.problem(row, colName, "成员姓名 is required, at most 64 characters")
		ok = false
	}
	var birth time.Time
	if raw := get(colIDNumber); raw != "" {
		m.idNumber = pii.NormalizeIDNumber(raw)
		if err := validate.ResidentID(m.idNumber, r.now); err != nil {
			r.problem(row, colIDNumber, "身份证号: %v", err)
			ok = false
		} else {
			birth, _ = time.Parse("20060102", m.idNumber[6:14])
			m.idHash = pii.HashIDNumber(m.idNumber)
			var key [32]byte
			_, _ = hex.Decode(key[:], []byte(m.idHash))
			if first, dup := r.ids[key]; dup {
				r.problem(row, colIDNumber, "身份证号 is the same person as row %d", first)
				ok = false
			}
			r.ids[key] = row
		}
	}
	if raw := get(colBirthMonth); raw != "" {
		b, err := parseMonth(strings.ReplaceAll(strings.ReplaceAll(raw, ".", "-"), "/", "-"))
		switch {
		case err != nil || b.After(r.now):
			r.problem(row, colBirthMonth, "出生年月 is a past month, YYYY-MM")
			ok = false
		case !birth.IsZero() && (b.Year() != birth.Year() || b.Month() != birth.Month()):
			r.problem(row, colBirthMonth, "出生年月 does not match the birth date in 身份证号")
			ok = false
		default:
			birth = b
			m.birthMonth = b.Format("2006-01")
		}
	}
	m.ageBand = AgeBand(birth, r.now)
	if m.phone != "" {
		if err := validate.Phone(m.phone); err != nil {
			r.problem(row, colPhone, "联系电话: %v", err)
			ok = false
		}
	}
	if v, good := r.enum(row, colRelation, get(colRelation), relationLabels, true); good {
		m.relation = householdmember.Relation(v)
	} else {
		ok = false
	}
	for _, f := range []struct {
		col    string
		labels map[string]string
		set    func(string)
	}{
		{colHealth, healthLabels, func(v string) { m.health = householdmember.Health(v) }},
		{colLabor, laborLabels, func(v string) { m.labor = householdmember.LaborAbility(v) }},
		{colSchooling, schoolingLabels, func(v string) { m.schooling = householdmember.Schooling(v) }},
	} {
		v, good := r.enum(row, f.col, get(f.col), f.labels, false)
		if !good {
			ok = false
		} else if v != "" {
			f.set(v)
		}
	}
	return m, ok
}

// enum reads a coded column: a label or an enum name.
func (r *rowReader) enum(row int, col, raw string, labels map[string]string, required bool) (string, bool) {
	if raw == "" {
		if required {
			r.problem(row, col, "%s is required", col)
			return "", false
		}
		return "", true
	}
	if v, ok := labels[raw]; ok {
		return v, true
	}
	for _, v := range labels {
		if v == strings.ToUpper(raw) {
			return v, true
		}
	}
	names := make([]string, 0, len(labels))
	for l := range labels {
		names = append(names, l)
	}
	slices.Sort(names)
	r.problem(row, col, "%s is one of %s", col, strings.Join(names, "、"))
	return "", false
}

// finish checks each household as a whole.
func (r *rowReader) finish() {
	for _, h := range r.households {
		if h.heads != 1 && h.memberRows > 0 {
			r.problem(h.row, colRelation, "a household has exactly one 户主 (it has %d)", h.heads)
		}
	}
}

func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// yuanToFen reads a non-negative amount of yuan with at most two decimals.
func yuanToFen(s string) (int64, error) {
	whole, frac, _ := strings.Cut(strings.ReplaceAll(s, ",", ""), ".")
	if !digits(whole) || len(frac) > 2 || frac != "" && !digits(frac) || len(whole) > 12 {
		return 0, fmt.Errorf("not an amount")
	}
	y, _ := strconv.ParseInt(whole, 10, 64)
	f, _ := strconv.ParseInt((frac + "00")[:2], 10, 64)
	return y*100 + f, nil
}

// fenToYuan writes fen as yuan with two decimals.
func fenToYuan(f int64) string { return fmt.Sprintf("%d.%02d", f/100, f%100) }
