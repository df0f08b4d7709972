package screen

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		in   string
		typ  EntityType
		want string
	}{
		{"AL-ZAWAHIRI, Ayman Muhammad", Person, "ayman muhammad al zawahiri"},
		{"Ayman AL-ZAWAHIRI", Person, "ayman al zawahiri"},
		{"François Hollande", Person, "francois hollande"},
		{"O'BRIEN, Seán", Person, "sean obrien"},
		{"Владимир Путин", Person, "vladimir putin"},
		{"Ελευθέριος Βενιζέλος", Person, "eleytherios venizelos"},
		{"Straße", Person, "strasse"},
		{"J. Smith", Person, "j smith"},
		{"GOLDMAN SACHS & CO. L.L.C.", Organization, "goldman sachs and co llc"},
		{"HSBC Holdings p.l.c.", Organization, "hsbc holdings plc"},
		{"SKY TRADE COMPANY LIMITED", Organization, "sky trade co ltd"},
		{"ACME, Ltd.", Organization, "acme ltd"},
		{"ACME, Ltd.", Unknown, "acme ltd"},
		{"Tactical Missiles Joint Stock Company", Organization, "tactical missiles jsc"},
		{"  ", Person, ""},
		{"---", Person, ""},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in, tt.typ); got != tt.want {
			t.Errorf("Normalize(%q, %q) = %q, want %q", tt.in, tt.typ, got, tt.want)
		}
	}
}

func TestFoldToken(t *testing.T) {
	same := [][]string{
		{"mohammed", "mohamed", "muhamed", "mohamad"},
		{"hussein", "husein"},
		{"yusuf", "yousef", "iusif"},
		{"khalid", "halid"},
		{"philip", "filip"},
	}
	for _, group := range same {
		want := FoldToken(group[0])
		for _, s := range group[1:] {
			if got := FoldToken(s); got != want && Phonetic(got) != Phonetic(want) {
				t.Errorf("FoldToken(%q) = %q, FoldToken(%q) = %q: want a shared key", s, got, group[0], want)
			}
		}
	}
}

func TestValidIMO(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"9187629", true},
		{"IMO 9187629", true},
		{"imo9187629", true},
		{"9186729", false}, // transposed digits
		{"9187628", false}, // wrong check digit
		{"918762", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := ValidIMO(tt.in); got != tt.want {
			t.Errorf("ValidIMO(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestTokenSim(t *testing.T) {
	tests := []struct {
		a, b     string
		min, max float64
	}{
		{"scholz", "scholz", 1, 1},
		{"scholze", "scholz", 0.85, 0.95},
		{"hassan", "hasan", 0.85, 0.95},
		{"hafs", "hasf", 0.8, 0.95},
		{"j", "john", initialSim, initialSim},
		{"octavian", "olaf", 0, 0},
		{"antonio", "antonia", 0, 0},
		{"2004", "2005", 0, 0},
		{"frederik", "frank", 0, 0},
	}
	for _, tt := range tests {
		got, _ := tokenSim(tt.a, tt.b, FoldToken(tt.a), FoldToken(tt.b))
		if got < tt.min || got > tt.max {
			t.Errorf("tokenSim(%q, %q) = %.3f, want in [%.2f, %.2f]", tt.a, tt.b, got, tt.min, tt.max)
		}
	}
}

func TestDiffEntries(t *testing.T) {
	prev := []Entry{
		{List: "l", ID: "1", Names: []Name{{Value: "A"}}},
		{List: "l", ID: "2", Names: []Name{{Value: "B"}}},
		{List: "l", ID: "3", Names: []Name{{Value: "C"}}},
	}
	next := []Entry{
		{List: "l", ID: "1", Names: []Name{{Value: "A"}}},
		{List: "l", ID: "2", Names: []Name{{Value: "B2"}}},
		{List: "l", ID: "4", Names: []Name{{Value: "D"}}},
	}
	d := DiffEntries(prev, next)
	if strings.Join(d.Added, ",") != "4" || strings.Join(d.Removed, ",") != "3" || strings.Join(d.Changed, ",") != "2" {
		t.Errorf("DiffEntries = %+v", d)
	}
	if !DiffEntries(prev, prev).Empty() {
		t.Error("diff of a list with itself is not empty")
	}
}

func TestParseDateSpec(t *testing.T) {
	for _, s := range []string{"1971", "1971-01", "1971-01-21", "1962/1964"} {
		if _, ok := parseDateSpec(s); !ok {
			t.Errorf("parseDateSpec(%q) failed", s)
		}
	}
	for _, s := range []string{"71", "1971-13", "1971-1-2", "1964/1962", "circa 1960", "x"} {
		if _, ok := parseDateSpec(s); ok {
			t.Errorf("parseDateSpec(%q) succeeded", s)
		}
	}
	a, _ := parseDateSpec("1971-01-21")
	for s, want := range map[string]string{"1971": "agree", "1970/1972": "agree", "1971-02-01": "near", "1972": "near", "1980": "disagree"} {
		b, _ := parseDateSpec(s)
		if got := compareDates(a, b); got != want {
			t.Errorf("compareDates(1971-01-21, %s) = %s, want %s", s, got, want)
		}
	}
}

func TestCountryCode(t *testing.T) {
	for in, want := range map[string]string{"Iran": "IR", "ir": "IR", "Korea, North": "KP", "Russia": "RU", "Russian Federation": "RU", "Democratic Republic of the Congo": "CD", "Germany": "DE"} {
		if got := CountryCode(in); got != want {
			t.Errorf("CountryCode(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"AL-ZAWAHIRI, Ayman", "Владимир Путин", "S.A. de C.V.", "O'Brien", "\x00\xff", "محمد", ", ,", "a..b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, typ := range []EntityType{Person, Organization, Unknown} {
			n := Normalize(s, typ)
			if !utf8.ValidString(n) {
				t.Fatalf("Normalize(%q) = %q: invalid UTF-8", s, n)
			}
			if n != strings.TrimSpace(n) || strings.Contains(n, "  ") || strings.Contains(n, ",") {
				t.Fatalf("Normalize(%q) = %q: stray spaces or commas", s, n)
			}
			if again := Normalize(n, typ); typ != Person && again != n {
				t.Fatalf("Normalize not idempotent: %q → %q → %q", s, n, again)
			}
			for _, tok := range Tokens(s, typ) {
				FoldToken(tok)
			}
		}
	})
}
