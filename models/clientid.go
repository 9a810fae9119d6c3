package models

// ValidClientID reports whether id is 1–64 characters of a printable id
// alphabet (ASCII letters, digits, '-', '_', '.', ':'): client ids are shown
// to reviewers and written to logs, where a control character, a newline or
// a bidirectional override would forge or hide text.
func ValidClientID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch c := id[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == ':':
		default:
			return false
		}
	}
	return true
}
