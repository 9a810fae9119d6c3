package console

import (
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode"
)

// TestI18nKeys: every key the pages ask i18n.js for is in both the Chinese
// and the English dictionary, and the two have the same keys. The
// JavaScript is read as text: t('key') must name a key; t('prefix.' + x)
// needs keys under the prefix (the parity covers the rest); a key built
// with a literal after the expression (t('a.' + x + 's')) hides from this
// test and fails it; any other string literal that looks like a key of a
// dictionary namespace ('review.confirm' in a table) must be one.
func TestI18nKeys(t *testing.T) {
	src, err := fs.ReadFile(assets, "assets/js/i18n.js")
	if err != nil {
		t.Fatal(err)
	}
	dicts, err := parseDict(string(src))
	if err != nil {
		t.Fatalf("i18n.js: %v", err)
	}
	zh, en := dicts["zh"], dicts["en"]
	if len(zh) == 0 || len(en) == 0 {
		t.Fatalf("i18n.js: dictionaries %v; want zh and en", keys(dicts))
	}
	for _, pair := range [][2]string{{"zh", "en"}, {"en", "zh"}} {
		for k := range dicts[pair[0]] {
			if _, ok := dicts[pair[1]][k]; !ok {
				t.Errorf("%q is in the %s dictionary but not in %s", k, pair[0], pair[1])
			}
		}
	}
	namespaces := map[string]bool{}
	for k := range zh {
		if ns, _, ok := strings.Cut(k, "."); ok {
			namespaces[ns] = true
		}
	}
	need := func(where, key string) {
		t.Helper()
		for lang, d := range map[string]map[string]string{"zh": zh, "en": en} {
			if _, ok := d[key]; !ok {
				t.Errorf("%s: key %q is missing from the %s dictionary", where, key, lang)
			}
		}
	}
	files, err := fs.Glob(assets, "assets/js/*.js")
	if err != nil || len(files) < 2 {
		t.Fatalf("the pages' modules: %v %v", files, err)
	}
	calls := 0
	for _, name := range files {
		if name == "assets/js/i18n.js" {
			continue
		}
		b, err := fs.ReadFile(assets, name)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		for _, at := range tCall.FindAllStringIndex(text, -1) {
			calls++
			where := fmt.Sprintf("%s:%d", name, strings.Count(text[:at[0]], "\n")+1)
			arg, err := firstArg(text, at[1])
			if err != nil {
				t.Errorf("%s: %v", where, err)
				continue
			}
			parts := splitPlus(arg)
			lits := 0
			for _, p := range parts {
				if isString(p) {
					lits++
				}
			}
			switch {
			case len(parts) == 1 && isString(parts[0]):
				need(where, unquote(parts[0]))
			case lits == 0: // a variable holding a key: the literal scan below sees where it comes from
			case len(parts) == 2 && isString(parts[0]):
				prefix := unquote(parts[0])
				if !hasPrefix(zh, prefix) || !hasPrefix(en, prefix) {
					t.Errorf("%s: no key starts with %q in both dictionaries", where, prefix)
				}
			default:
				t.Errorf("%s: t(%s) builds a key this test cannot check; name the keys (a table of literal keys)", where, arg)
			}
		}
		for _, m := range literal.FindAllStringSubmatch(text, -1) {
			if ns, _, _ := strings.Cut(m[1], "."); namespaces[ns] {
				need(name, m[1])
			}
		}
	}
	if calls < 50 {
		t.Errorf("found %d calls of t(…) in the pages; the pattern no longer matches how they call it", calls)
	}
}

var (
	tCall   = regexp.MustCompile(`(?:^|[^\w.$])t\(`)
	literal = regexp.MustCompile(`'([a-z]+\.[A-Za-z_]+)'`)
)

func hasPrefix(d map[string]string, prefix string) bool {
	for k := range d {
		if strings.HasPrefix(k, prefix) && len(k) > len(prefix) {
			return true
		}
	}
	return false
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func isString(s string) bool {
	return len(s) >= 2 && strings.ContainsRune(`'"`+"`", rune(s[0])) && s[len(s)-1] == s[0]
}

func unquote(s string) string {
	return strings.NewReplacer(`\'`, `'`, `\"`, `"`, `\\`, `\`).Replace(s[1 : len(s)-1])
}

// firstArg returns the first argument of a call whose "(" ends at i: the
// text up to the first ',' or ')' outside brackets and strings, trimmed.
func firstArg(src string, i int) (string, error) {
	depth := 0
	for j := i; j < len(src); j++ {
		switch c := src[j]; c {
		case '\'', '"', '`':
			end, err := skipString(src, j)
			if err != nil {
				return "", err
			}
			j = end - 1
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			if depth == 0 {
				return strings.TrimSpace(src[i:j]), nil
			}
			depth--
		case ',':
			if depth == 0 {
				return strings.TrimSpace(src[i:j]), nil
			}
		}
	}
	return "", fmt.Errorf("unterminated call")
}

// splitPlus splits an expression at its top-level '+' signs.
func splitPlus(expr string) []string {
	var out []string
	depth, start := 0, 0
	for j := 0; j < len(expr); j++ {
		switch c := expr[j]; c {
		case '\'', '"', '`':
			if end, err := skipString(expr, j); err == nil {
				j = end - 1
			}
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		case '+':
			if depth == 0 {
				out = append(out, strings.TrimSpace(expr[start:j]))
				start = j + 1
			}
		}
	}
	return append(out, strings.TrimSpace(expr[start:]))
}

// skipString returns the index after the string literal opening at i.
func skipString(src string, i int) (int, error) {
	q := src[i]
	for j := i + 1; j < len(src); j++ {
		switch src[j] {
		case '\\':
			j++
		case q:
			return j + 1, nil
		case '\n':
			if q != '`' {
				return 0, fmt.Errorf("a string literal runs past its line at byte %d", i)
			}
		}
	}
	return 0, fmt.Errorf("an unterminated string at byte %d", i)
}

// parseDict reads `const dict = { zh: { 'key': 'value', … }, en: { … } }`.
func parseDict(src string) (map[string]map[string]string, error) {
	start := strings.Index(src, "const dict = {")
	if start < 0 {
		return nil, fmt.Errorf("no `const dict = {`")
	}
	p := &jsObject{src: src, i: start + len("const dict = ")}
	out := map[string]map[string]string{}
	err := p.object(func(lang string) error {
		d := map[string]string{}
		out[lang] = d
		return p.object(func(key string) error {
			if _, dup := d[key]; dup {
				return fmt.Errorf("%s: %q twice", lang, key)
			}
			v, err := p.str()
			d[key] = v
			return err
		})
	})
	return out, err
}

// jsObject reads the object literals of i18n.js: keys are identifiers or
// strings, values strings or objects.
type jsObject struct {
	src string
	i   int
}

func (p *jsObject) space() {
	for p.i < len(p.src) {
		switch {
		case unicode.IsSpace(rune(p.src[p.i])) || p.src[p.i] == ',':
			p.i++
		case strings.HasPrefix(p.src[p.i:], "//"):
			if n := strings.IndexByte(p.src[p.i:], '\n'); n >= 0 {
				p.i += n
			} else {
				p.i = len(p.src)
			}
		default:
			return
		}
	}
}

func (p *jsObject) errorf(format string, args ...any) error {
	return fmt.Errorf("line %d: %s", strings.Count(p.src[:min(p.i, len(p.src))], "\n")+1, fmt.Sprintf(format, args...))
}

// object reads { key: value, … }, calling value(key) with the reader at each value.
func (p *jsObject) object(value func(key string) error) error {
	p.space()
	if p.i >= len(p.src) || p.src[p.i] != '{' {
		return p.errorf("want {")
	}
	p.i++
	for {
		p.space()
		if p.i >= len(p.src) {
			return p.errorf("unterminated object")
		}
		if p.src[p.i] == '}' {
			p.i++
			return nil
		}
		var key string
		if c := p.src[p.i]; c == '\'' || c == '"' {
			k, err := p.str()
			if err != nil {
				return err
			}
			key = k
		} else {
			j := p.i
			for j < len(p.src) && (p.src[j] == '_' || p.src[j] == '$' || unicode.IsLetter(rune(p.src[j])) || unicode.IsDigit(rune(p.src[j]))) {
				j++
			}
			if j == p.i {
				return p.errorf("want a key, found %.20q", p.src[p.i:])
			}
			key, p.i = p.src[p.i:j], j
		}
		p.space()
		if p.i >= len(p.src) || p.src[p.i] != ':' {
			return p.errorf("want : after %q", key)
		}
		p.i++
		p.space()
		if err := value(key); err != nil {
			return err
		}
	}
}

// str reads a string literal: its text, escapes resolved for \' \" \\.
func (p *jsObject) str() (string, error) {
	p.space()
	if p.i >= len(p.src) || !strings.ContainsRune(`'"`, rune(p.src[p.i])) {
		return "", p.errorf("want a string, found %.20q", p.src[p.i:])
	}
	end, err := skipString(p.src, p.i)
	if err != nil {
		return "", err
	}
	s := unquote(p.src[p.i:end])
	p.i = end
	return s, nil
}
