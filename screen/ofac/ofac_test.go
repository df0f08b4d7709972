package ofac

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/enlace-exchange/enlace/screen"
)

func TestParseFixture(t *testing.T) {
	es, err := Parse(os.DirFS("../testdata/ofac_v1"))
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 8 {
		t.Fatalf("got %d entries, want 8", len(es))
	}
	byID := map[string]screen.Entry{}
	for _, e := range es {
		byID[e.ID] = e
	}
	z := byID["100"]
	want := screen.Entry{
		List: SDNList, ID: "100", Type: screen.Person,
		Names: []screen.Name{
			{Value: "AL-ZAWAHIRI, Ayman Muhammad Rabi", Kind: screen.PrimaryName},
			{Value: "AL-ZAWAHIRI, Ayman", Kind: screen.AKA},
			{Value: "SALIM, Ahmad Fuad", Kind: screen.AKA},
			{Value: "DOCTOR", Kind: screen.WeakAKA},
		},
		BirthDates: []string{"1951-06-19"}, Nationalities: []string{"Egypt"}, Programs: []string{"SDGT"},
		Remarks: "DOB 19 Jun 1951; POB Giza, Egypt; nationality Egypt; a.k.a. 'DOCTOR'.",
	}
	if diff := cmp.Diff(want, z); diff != "" {
		t.Errorf("entry 100 (-want +got):\n%s", diff)
	}
	v := byID["102"]
	if v.Type != screen.Vessel || v.IMO != "9187629" || v.MMSI != "572469210" || v.CallSign != "T2EU4" || v.Names[1].Kind != screen.FKA {
		t.Errorf("vessel: %+v", v)
	}
	if s := byID["104"].BirthDates; strings.Join(s, ",") != "1960,1962/1964" {
		t.Errorf("dates of 104: %v", s)
	}
	if r := byID["105"].Remarks; r != "Linked To: SKY HOLDING." {
		t.Errorf("comments of 105: %q", r)
	}
	if byID["107"].Type != screen.Aircraft || byID["101"].Type != screen.Organization {
		t.Error("types of 101/107")
	}
}

func TestParseCons(t *testing.T) {
	es, err := Parse(os.DirFS("../testdata/cons"))
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 || es[0].List != ConsList || len(es[0].Names) != 2 || es[0].BirthDates[0] != "1962" {
		t.Errorf("cons: %+v", es)
	}
}

func TestParseDate(t *testing.T) {
	for in, want := range map[string]string{
		"21 Jan 1971": "1971-01-21", "1 Feb 1960": "1960-02-01", "Jan 1971": "1971-01", "1971": "1971",
		"circa 1960": "1960", "1962 to 1964": "1962/1964", "01 Jan 1960 to 31 Dec 1962": "1960/1962",
		"1971.": "1971", "unknown": "", "": "",
	} {
		if got := ParseDate(in); got != want {
			t.Errorf("ParseDate(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseMalformed(t *testing.T) {
	row := `1,"A, B","individual","P",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ` + "\r\n"
	tests := []struct {
		name   string
		files  fstest.MapFS
		file   string
		line   int
		reason string
	}{
		{"field count", fstest.MapFS{"sdn.csv": {Data: []byte(row + "2,\"X\"\r\n")}}, "sdn.csv", 2, "2 fields, want 12"},
		{"bad ent_num", fstest.MapFS{"sdn.csv": {Data: []byte(strings.Replace(row, "1,", "x,", 1))}}, "sdn.csv", 1, `ent_num "x" is not a number`},
		{"duplicate", fstest.MapFS{"sdn.csv": {Data: []byte(row + row)}}, "sdn.csv", 2, "duplicate ent_num 1"},
		{"unknown type", fstest.MapFS{"sdn.csv": {Data: []byte(strings.Replace(row, "individual", "robot", 1))}}, "sdn.csv", 1, `unknown SDN type "robot"`},
		{"empty name", fstest.MapFS{"sdn.csv": {Data: []byte(strings.Replace(row, `"A, B"`, "-0- ", 1))}}, "sdn.csv", 1, "entry 1 has no name"},
		{"bare quote", fstest.MapFS{"sdn.csv": {Data: []byte(row + "2,\"X\"Y\",3\r\n")}}, "sdn.csv", 2, `extraneous or missing " in quoted-field`},
		{"orphan alias", fstest.MapFS{"sdn.csv": {Data: []byte(row)}, "alt.csv": {Data: []byte("9,1,\"aka\",\"Z\",-0- \r\n")}}, "alt.csv", 1, `ent_num "9" not in sdn.csv`},
		{"no files", fstest.MapFS{"readme.txt": {Data: []byte("x")}}, "sdn.csv", 0, "neither sdn.csv nor cons_prim.csv present"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.files)
			var pe *screen.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want *screen.ParseError", err)
			}
			if pe.File != tt.file || pe.Line != tt.line || pe.Reason != tt.reason {
				t.Errorf("got %s:%d %q, want %s:%d %q", pe.File, pe.Line, pe.Reason, tt.file, tt.line, tt.reason)
			}
		})
	}
}

func TestParseLatin1(t *testing.T) {
	data := []byte(`1,"MU` + "\xd1" + `OZ, Jos` + "\xe9" + `","individual","P",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ` + "\r\n")
	es, err := ParseReaders(Readers{List: SDNList, Files: SDNFiles, Primary: bytes.NewReader(data)})
	if err != nil || es[0].PrimaryName() != "MUÑOZ, José" {
		t.Errorf("latin-1: %v %v", es, err)
	}
}

func FuzzOFACCSV(f *testing.F) {
	seed, err := os.ReadFile("../testdata/ofac_v1/sdn.csv")
	if err != nil {
		f.Fatal(err)
	}
	alt, _ := os.ReadFile("../testdata/ofac_v1/alt.csv")
	f.Add(seed, alt)
	f.Add([]byte("1,\"A\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"DOB 1 Jan 1970; IMO 1234567; a.k.a. 'B'\"\n"), []byte("1,2,\"aka\",\"C\",-0-\n"))
	f.Add([]byte("\"unterminated"), []byte{})
	f.Add([]byte{0x1a}, []byte("\xff\xfe"))
	f.Fuzz(func(t *testing.T, sdn, alt []byte) {
		es, err := ParseReaders(Readers{List: SDNList, Files: SDNFiles, Primary: bytes.NewReader(sdn), Alt: bytes.NewReader(alt)})
		if err != nil {
			var pe *screen.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error is not a ParseError: %v", err)
			}
			return
		}
		for _, e := range es {
			if e.ID == "" || len(e.Names) == 0 || e.Names[0].Value == "" {
				t.Fatalf("bad entry %+v", e)
			}
		}
		screen.NewIndex(es, screen.IndexOptions{}).Search(screen.Query{Name: "a b"})
	})
}
