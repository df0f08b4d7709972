package un

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/enlace-exchange/enlace/screen"
)

func TestParseFixture(t *testing.T) {
	f, err := os.Open("../testdata/un/consolidated.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	es, err := Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 3 {
		t.Fatalf("got %d entries", len(es))
	}
	want := screen.Entry{
		List: List, ID: "6908000", Type: screen.Person,
		Names: []screen.Name{
			{Value: "ERIC BADEGE", Kind: screen.PrimaryName},
			{Value: "ERIC BADEGUE", Kind: screen.AKA},
			{Value: "BADEGE", Kind: screen.WeakAKA},
			{Value: "Эрик Бадеге", Kind: screen.OriginalScript},
		},
		BirthDates: []string{"1971"}, Nationalities: []string{"Democratic Republic of the Congo"}, Programs: []string{"DRC"},
	}
	if diff := cmp.Diff(want, es[0]); diff != "" {
		t.Errorf("first entry (-want +got):\n%s", diff)
	}
	if got := strings.Join(es[1].BirthDates, ","); got != "1958-02-22,1957/1959" {
		t.Errorf("dates: %s", got)
	}
	if es[2].Type != screen.Organization || len(es[2].Names) != 3 || es[2].Names[2].Kind != screen.FKA {
		t.Errorf("entity: %+v", es[2])
	}
}

func TestParseMalformed(t *testing.T) {
	tests := []struct {
		name, in string
		line     int
		reason   string
	}{
		{"syntax", "<CONSOLIDATED_LIST>\n<INDIVIDUALS>\n<INDIVIDUAL><DATAID>1</DATAID>\n</ENTITY>", 4, "element <INDIVIDUAL> closed by </ENTITY>"},
		{"no id", "<CONSOLIDATED_LIST>\n<INDIVIDUALS>\n<INDIVIDUAL><FIRST_NAME>A</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>", 3, "record without DATAID"},
		{"no name", "<CONSOLIDATED_LIST><ENTITIES>\n\n<ENTITY><DATAID>7</DATAID></ENTITY></ENTITIES></CONSOLIDATED_LIST>", 3, "record 7 has no name"},
		{"duplicate", "<CONSOLIDATED_LIST>\n<ENTITY><DATAID>7</DATAID><FIRST_NAME>A</FIRST_NAME></ENTITY>\n<ENTITY><DATAID>7</DATAID><FIRST_NAME>B</FIRST_NAME></ENTITY></CONSOLIDATED_LIST>", 3, "duplicate DATAID 7"},
		{"wrong root", "<html><body/></html>", 1, "root element is html, want CONSOLIDATED_LIST"},
		{"empty", "", 1, "no CONSOLIDATED_LIST element"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tt.in))
			var pe *screen.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v", err)
			}
			if pe.Line != tt.line || pe.Reason != tt.reason || pe.File != FileName {
				t.Errorf("got %s:%d %q, want line %d %q", pe.File, pe.Line, pe.Reason, tt.line, tt.reason)
			}
		})
	}
}

func FuzzUNXML(f *testing.F) {
	seed, err := os.ReadFile("../testdata/un/consolidated.xml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte("<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>A</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"))
	f.Add([]byte("<CONSOLIDATED_LIST><ENTITY>"))
	f.Add([]byte("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		es, err := Parse(strings.NewReader(string(data)))
		if err != nil {
			var pe *screen.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error is not a ParseError: %v", err)
			}
			return
		}
		for _, e := range es {
			if e.ID == "" || len(e.Names) == 0 {
				t.Fatalf("bad entry %+v", e)
			}
		}
	})
}
