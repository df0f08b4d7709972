package screen_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/screen"
	"github.com/enlace-exchange/enlace/screen/ofac"
	"github.com/enlace-exchange/enlace/screen/un"
)

// fixtureIndex indexes the OFAC and UN fixtures in testdata.
func fixtureIndex(t testing.TB) *screen.Index {
	t.Helper()
	sdn, err := ofac.ParseSDN(os.DirFS("testdata/ofac_v1"))
	if err != nil {
		t.Fatal(err)
	}
	cons, err := ofac.ParseCons(os.DirFS("testdata/cons"))
	if err != nil {
		t.Fatal(err)
	}
	unl, err := un.ParseFS(os.DirFS("testdata/un"))
	if err != nil {
		t.Fatal(err)
	}
	return screen.NewIndex(append(append(sdn, cons...), unl...), screen.IndexOptions{})
}

func TestSearch(t *testing.T) {
	ix := fixtureIndex(t)
	tests := []struct {
		name    string
		q       screen.Query
		wantID  string // "" means no match at or above the floor
		minimum float64
		maximum float64
	}{
		{"exact", screen.Query{Name: "AL-ZAWAHIRI, Ayman Muhammad Rabi"}, "100", 1, 1},
		{"reordered", screen.Query{Name: "Ayman Muhammad Rabi al-Zawahiri", Type: screen.Person}, "100", 1, 1},
		{"lowercase no punctuation", screen.Query{Name: "ayman al zawahiri"}, "100", 1, 1},
		{"typo", screen.Query{Name: "Ayman al-Zawahri"}, "100", 0.89, 0.99},
		{"dropped middle", screen.Query{Name: "Ayman Rabi al-Zawahiri", Type: screen.Person}, "100", 0.9, 1},
		{"alias", screen.Query{Name: "Ahmad Fuad Salim"}, "100", 1, 1},
		{"weak alias", screen.Query{Name: "BNC", Type: screen.Organization}, "101", 0.85, 0.95},
		{"cyrillic original script", screen.Query{Name: "Эрик Бадеге"}, "6908000", 1, 1},
		{"latin vs cyrillic listing", screen.Query{Name: "Erik Badege"}, "6908000", 0.89, 1},
		{"suffix swap", screen.Query{Name: "Sky Trade Co. Ltd", Type: screen.Organization}, "105", 0.9, 1},
		{"initials", screen.Query{Name: "A. M. R. al-Zawahiri", Type: screen.Person}, "100", 0.89, 1},
		{"imo only", screen.Query{IMO: "IMO 9187629"}, "102", 0.97, 0.97},
		{"imo and name", screen.Query{Name: "Artavil", IMO: "9187629", Type: screen.Vessel}, "102", 1, 1},
		{"mmsi", screen.Query{MMSI: "572469210"}, "102", 0.95, 0.95},
		{"call sign", screen.Query{CallSign: "t2eu4"}, "102", 0.9, 0.9},
		{"transposed imo is no match", screen.Query{IMO: "9186729"}, "", 0, 0},
		{"unrelated", screen.Query{Name: "Olaf Scholz"}, "", 0, 0},
		{"type filter", screen.Query{Name: "Artavil", Type: screen.Person}, "", 0, 0},
		{"common given name alone", screen.Query{Name: "Ali"}, "", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms := ix.Search(tt.q)
			if tt.wantID == "" {
				if len(ms) > 0 {
					t.Fatalf("got %d matches, first %s %q %.3f (%s)", len(ms), ms[0].EntryID, ms[0].MatchedName, ms[0].Score, ms[0].Explanation)
				}
				return
			}
			if len(ms) == 0 {
				q := tt.q
				q.MinScore = -1
				all := ix.Search(q)
				t.Fatalf("no match; below the floor: %v", all)
			}
			m := ms[0]
			if m.EntryID != tt.wantID || m.Score < tt.minimum || m.Score > tt.maximum {
				t.Errorf("first match %s %q score %.4f, want %s in [%.2f, %.2f] (%s)", m.EntryID, m.MatchedName, m.Score, tt.wantID, tt.minimum, tt.maximum, m.Explanation)
			}
		})
	}
}

func TestSearchEvidence(t *testing.T) {
	ix := fixtureIndex(t)
	base := screen.Query{Name: "Ayman al-Zawahiri", Type: screen.Person, MinScore: -1, Limit: 1}
	score := func(q screen.Query) screen.Match {
		t.Helper()
		ms := ix.Search(q)
		if len(ms) == 0 || ms[0].EntryID != "100" {
			t.Fatalf("query %+v did not find entry 100: %v", q, ms)
		}
		return ms[0]
	}
	plain := score(base)
	q := base
	q.BirthDate = "1951-06-19"
	q.Nationality = "EG"
	agree := score(q)
	q.BirthDate = "1985"
	q.Nationality = "France"
	disagree := score(q)
	if !(agree.Score >= plain.Score && disagree.Score < plain.Score-0.2) {
		t.Errorf("scores plain %.3f, agreeing %.3f, disagreeing %.3f", plain.Score, agree.Score, disagree.Score)
	}
	var fields []string
	for _, ev := range disagree.Explanation.Evidence {
		fields = append(fields, ev.Field+"="+ev.Result)
	}
	if got := strings.Join(fields, ","); got != "birth_date=disagree,nationality=disagree" {
		t.Errorf("evidence = %s", got)
	}
	if len(plain.Explanation.Tokens) == 0 || plain.MatchedName == "" {
		t.Errorf("no token alignment in explanation: %+v", plain.Explanation)
	}

	// A vessel whose IMO differs from the query's loses even on its name.
	v := ix.Search(screen.Query{Name: "ARTAVIL", IMO: "9187667", MinScore: -1})
	if len(v) == 0 || v[0].Score > 0.75 {
		t.Errorf("differing IMO: %v", v)
	}
	// An IMO with a wrong check digit is reported and ignored.
	v = ix.Search(screen.Query{Name: "ARTAVIL", IMO: "9186729"})
	if len(v) == 0 || v[0].Score != 1 || v[0].Explanation.Evidence[0].Result != "invalid" {
		t.Errorf("invalid IMO: %v", v)
	}
}

func TestQueryValidate(t *testing.T) {
	for _, q := range []screen.Query{{}, {Name: " "}, {Name: "x", Type: "dog"}, {Name: "x", BirthDate: "yesterday"}, {Name: "x", Limit: -1}} {
		err := q.Validate()
		if enlace.ErrorCode(err) != enlace.EInvalid {
			t.Errorf("Validate(%+v) = %v, want EInvalid", q, err)
		}
	}
	if err := (screen.Query{IMO: "9187629"}).Validate(); err != nil {
		t.Errorf("identifier-only query: %v", err)
	}
}

func TestCompare(t *testing.T) {
	ix := fixtureIndex(t)
	tests := []struct {
		a, b  string
		typ   screen.EntityType
		match bool
	}{
		{"Olaf Scholze", "Olaf Scholz", screen.Person, true},
		{"Octavian Scholz", "Olaf Scholz", screen.Person, false},
		{"HSBC Holdings p.l.c.", "HSBC Holdings plc", screen.Organization, true},
		{"Abdulrahman Ali", "Abdul Rahman Ali", screen.Person, true},
		{"Francois Hollande", "François Hollande", screen.Person, true},
	}
	for _, tt := range tests {
		s, ex := ix.Compare(tt.a, tt.b, tt.typ)
		if (s >= screen.DefaultThreshold) != tt.match {
			t.Errorf("Compare(%q, %q) = %.3f (%s), want match %v", tt.a, tt.b, s, ex, tt.match)
		}
	}
}

func TestSearchConcurrent(t *testing.T) {
	ix := fixtureIndex(t)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				ms := ix.Search(screen.Query{Name: "Ayman al-Zawahiri"})
				if len(ms) == 0 || ms[0].EntryID != "100" {
					errs <- fmt.Errorf("iteration %d: %v", i, ms)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestParseErrorCode(t *testing.T) {
	var err error = &screen.ParseError{File: "sdn.csv", Line: 3, Reason: "bad"}
	if enlace.ErrorCode(err) != enlace.EInvalid || err.Error() != "sdn.csv:3: bad" {
		t.Errorf("ParseError: code %s, text %q", enlace.ErrorCode(err), err)
	}
	var pe *screen.ParseError
	if !errors.As(fmt.Errorf("wrapped: %w", err), &pe) {
		t.Error("errors.As failed")
	}
}

// BenchmarkSearch measures a search on the fixture index padded with
// synthetic entries, so that it runs without the shared data.
func BenchmarkSearch(b *testing.B) {
	sdn, err := ofac.ParseSDN(os.DirFS("testdata/ofac_v1"))
	if err != nil {
		b.Fatal(err)
	}
	given := []string{"Ali", "Mohammed", "Ivan", "Olga", "Kim", "Hassan", "Maria", "John", "Abdul", "Sergei"}
	family := []string{"Petrov", "Rahman", "Smith", "Garcia", "Karimov", "Haddad", "Novak", "Tanaka", "Okafor", "Silva"}
	for i := 0; i < 20000; i++ {
		sdn = append(sdn, screen.Entry{List: "synthetic", ID: fmt.Sprint(i), Type: screen.Person, Names: []screen.Name{{
			Value: fmt.Sprintf("%s%d, %s %s", strings.ToUpper(family[i%10]), i/100, given[(i/10)%10], given[(i/7)%10]), Kind: screen.PrimaryName}}})
	}
	ix := screen.NewIndex(sdn, screen.IndexOptions{})
	qs := []screen.Query{{Name: "Ayman al-Zawahiri"}, {Name: "Mohammed Hassan Rahman12"}, {Name: "Olga Ivan Petrv7"}, {Name: "John Smith"}, {IMO: "9187629"}}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			ix.Search(qs[i%len(qs)])
			i++
		}
	})
}
