package seminar

import (
	"fmt"

	"github.com/henan-youth/onsite/models"
)

// Half returns the half year (1: January–June, 2: July–December) of a
// calendar date "YYYY-MM-DD" (R9: every cadre speaks once a half year).
func Half(date string) (year, half int) {
	var m, d int
	fmt.Sscanf(date, "%d-%d-%d", &year, &m, &d)
	if m >= 7 {
		return year, 2
	}
	return year, 1
}

// HalfRange returns the first and last day of a half year; INVALID for a
// half other than 1 or 2 or a year outside 2000–2100.
func HalfRange(year, half int) (from, to string, err error) {
	if year < 2000 || year > 2100 {
		return "", "", models.E(models.CodeInvalid, "year %d is out of range", year)
	}
	switch half {
	case 1:
		return fmt.Sprintf("%d-01-01", year), fmt.Sprintf("%d-06-30", year), nil
	case 2:
		return fmt.Sprintf("%d-07-01", year), fmt.Sprintf("%d-12-31", year), nil
	}
	return "", "", models.E(models.CodeInvalid, "half must be 1 (January–June) or 2 (July–December), got %d", half)
}
