// Package validate holds the format checks for national codes that several
// layers (ent schema validators, seed generators, GraphQL inputs) share.
package validate

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// creditCodeCharset is the 31-character alphabet of GB 32100-2015 (no I, O, Z, S, V).
const creditCodeCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// creditCodeWeights are the position weights 3^(i) mod 31 for positions 1..17.
var creditCodeWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

func charValue(c byte) int {
	for i := 0; i < len(creditCodeCharset); i++ {
		if creditCodeCharset[i] == c {
			return i
		}
	}
	return -1
}

// CreditCodeCheckChar computes the 18th (check) character of a unified
// social credit code (统一社会信用代码) from its first 17 characters.
func CreditCodeCheckChar(first17 string) (byte, error) {
	if len(first17) != 17 {
		return 0, fmt.Errorf("credit code body must be 17 characters, got %d", len(first17))
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := charValue(first17[i])
		if v < 0 {
			return 0, fmt.Errorf("credit code has invalid character %q at position %d", first17[i], i+1)
		}
		sum += v * creditCodeWeights[i]
	}
	check := (31 - sum%31) % 31
	return creditCodeCharset[check], nil
}

// CreditCode checks a unified social credit code: 18 characters from the
// GB 32100-2015 alphabet whose last character is the correct check character.
func CreditCode(code string) error {
	if len(code) != 18 {
		return fmt.Errorf("credit code must be 18 characters, got %d", len(code))
	}
	want, err := CreditCodeCheckChar(code[:17])
	if err != nil {
		return err
	}
	if code[17] != want {
		return errors.New("credit code check character is wrong")
	}
	return nil
}

// RegionCode checks a GB/T 2260 division code: 6 digits for county and
// above, 9 for townships, 12 for villages.
func RegionCode(code string) error {
	switch len(code) {
	case 6, 9, 12:
	default:
		return fmt.Errorf("region code must have 6, 9 or 12 digits, got %d characters", len(code))
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return errors.New("region code must be all digits")
		}
	}
	if code[:2] == "00" {
		return errors.New("region code must start with a province code")
	}
	return nil
}

// RegionPrefix is the prefix every division within the region shares:
// GB/T 2260 codes nest, so a 6-digit code drops its trailing zero pairs
// (530000 → 53, 533300 → 5333, 533323 → 533323). Township and village
// codes are their own prefix.
func RegionPrefix(code string) string {
	if len(code) != 6 {
		return code
	}
	for len(code) > 2 && strings.HasSuffix(code, "00") {
		code = code[:len(code)-2]
	}
	return code
}

// residentWeights are the GB 11643-1999 position weights 2^(17-i) mod 11.
var residentWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// ResidentIDCheckChar computes the 18th (check) character of a resident
// ID number (居民身份证号码) from its first 17 digits.
func ResidentIDCheckChar(first17 string) (byte, error) {
	if len(first17) != 17 {
		return 0, fmt.Errorf("ID number body must be 17 digits, got %d characters", len(first17))
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := first17[i]
		if c < '0' || c > '9' {
			return 0, errors.New("ID number must be 17 digits and a check character")
		}
		sum += int(c-'0') * residentWeights[i]
	}
	return "10X98765432"[sum%11], nil
}

// ResidentID checks a resident ID number (GB 11643-1999): 18 characters,
// a birth date that exists and is not in the future, and the right check
// character (a digit or X). The messages never repeat the number: it is
// personal data.
func ResidentID(id string, today time.Time) error {
	if len(id) != 18 {
		return fmt.Errorf("ID number must have 18 characters, got %d", len(id))
	}
	id = strings.ToUpper(id)
	want, err := ResidentIDCheckChar(id[:17])
	if err != nil {
		return err
	}
	birth, err := time.Parse("20060102", id[6:14])
	if err != nil || birth.Year() < 1900 || birth.After(today) {
		return errors.New("ID number holds no valid birth date")
	}
	if id[17] != want {
		return errors.New("ID number check digit is wrong")
	}
	return nil
}

// Phone checks a phone number: digits, with an optional leading + and
// hyphens, 5 to 20 characters.
func Phone(p string) error {
	if len(p) < 5 || len(p) > 20 {
		return errors.New("phone must have 5 to 20 characters")
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !(c >= '0' && c <= '9' || c == '-' || c == '+' && i == 0) {
			return errors.New("phone may hold digits, hyphens and a leading +")
		}
	}
	return nil
}
