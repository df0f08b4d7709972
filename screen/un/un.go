// Package un parses the United Nations Security Council consolidated
// sanctions list in its XML form (CONSOLIDATED_LIST with INDIVIDUALS and
// ENTITIES).
//
// Malformed input is refused with a *screen.ParseError naming the line and
// the reason.
package un

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/enlace-exchange/enlace/screen"
)

// List is the list name used for Entry.List.
const List = "un-sc"

// FileName is the conventional name of the file, used in errors.
const FileName = "consolidated.xml"

type value struct {
	Values []string `xml:"VALUE"`
}

type alias struct {
	Quality string `xml:"QUALITY"`
	Name    string `xml:"ALIAS_NAME"`
}

type dob struct {
	Type     string `xml:"TYPE_OF_DATE"`
	Date     string `xml:"DATE"`
	Year     string `xml:"YEAR"`
	FromYear string `xml:"FROM_YEAR"`
	ToYear   string `xml:"TO_YEAR"`
}

type record struct {
	DataID         string   `xml:"DATAID"`
	First          string   `xml:"FIRST_NAME"`
	Second         string   `xml:"SECOND_NAME"`
	Third          string   `xml:"THIRD_NAME"`
	Fourth         string   `xml:"FOURTH_NAME"`
	ListType       string   `xml:"UN_LIST_TYPE"`
	Reference      string   `xml:"REFERENCE_NUMBER"`
	Comments       string   `xml:"COMMENTS1"`
	OriginalScript []string `xml:"NAME_ORIGINAL_SCRIPT"`
	Nationality    value    `xml:"NATIONALITY"`
	IndAliases     []alias  `xml:"INDIVIDUAL_ALIAS"`
	EntAliases     []alias  `xml:"ENTITY_ALIAS"`
	DOBs           []dob    `xml:"INDIVIDUAL_DATE_OF_BIRTH"`
}

// Parse reads the consolidated list. Every record must have a DATAID and a
// first name.
func Parse(r io.Reader) ([]screen.Entry, error) {
	return ParseFile(r, FileName)
}

// ParseFile is Parse with the file name to report in errors.
func ParseFile(r io.Reader, file string) ([]screen.Entry, error) {
	lr := &lineReader{r: r, line: 1}
	d := xml.NewDecoder(lr)
	var out []screen.Entry
	seen := map[string]bool{}
	root := false
	fail := func(reason string) error {
		return &screen.ParseError{File: file, Line: lr.lineAt(d.InputOffset()), Reason: reason}
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return nil, &screen.ParseError{File: file, Line: se.Line, Reason: se.Msg}
			}
			return nil, fail(err.Error())
		}
		st, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch st.Name.Local {
		case "CONSOLIDATED_LIST":
			root = true
		case "INDIVIDUALS", "ENTITIES":
		case "INDIVIDUAL", "ENTITY":
			if !root {
				return nil, fail("record outside CONSOLIDATED_LIST")
			}
			line := lr.lineAt(d.InputOffset())
			var rec record
			if err := d.DecodeElement(&rec, &st); err != nil {
				var se *xml.SyntaxError
				if errors.As(err, &se) {
					return nil, &screen.ParseError{File: file, Line: se.Line, Reason: se.Msg}
				}
				return nil, &screen.ParseError{File: file, Line: line, Reason: err.Error()}
			}
			e, reason := toEntry(&rec, st.Name.Local == "INDIVIDUAL")
			if reason != "" {
				return nil, &screen.ParseError{File: file, Line: line, Reason: reason}
			}
			if seen[e.ID] {
				return nil, &screen.ParseError{File: file, Line: line, Reason: "duplicate DATAID " + e.ID}
			}
			seen[e.ID] = true
			out = append(out, e)
		default:
			if !root {
				return nil, fail(fmt.Sprintf("root element is %s, want CONSOLIDATED_LIST", st.Name.Local))
			}
			if err := d.Skip(); err != nil {
				return nil, fail(err.Error())
			}
		}
	}
	if !root {
		return nil, &screen.ParseError{File: file, Line: lr.line, Reason: "no CONSOLIDATED_LIST element"}
	}
	return out, nil
}

func clean(s string) string { return strings.Join(strings.Fields(s), " ") }

func toEntry(r *record, individual bool) (screen.Entry, string) {
	id := clean(r.DataID)
	if id == "" {
		return screen.Entry{}, "record without DATAID"
	}
	var parts []string
	for _, p := range []string{r.First, r.Second, r.Third, r.Fourth} {
		if p = clean(p); p != "" {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return screen.Entry{}, "record " + id + " has no name"
	}
	e := screen.Entry{List: List, ID: id, Type: screen.Organization, Remarks: clean(r.Comments)}
	if individual {
		e.Type = screen.Person
	}
	e.Names = append(e.Names, screen.Name{Value: strings.Join(parts, " "), Kind: screen.PrimaryName})
	aliases := r.IndAliases
	if !individual {
		aliases = r.EntAliases
	}
	for _, a := range aliases {
		n := clean(a.Name)
		if n == "" {
			continue
		}
		kind := screen.AKA
		switch strings.ToLower(clean(a.Quality)) {
		case "low":
			kind = screen.WeakAKA
		case "f.k.a.":
			kind = screen.FKA
		}
		e.Names = append(e.Names, screen.Name{Value: n, Kind: kind})
	}
	for _, s := range r.OriginalScript {
		if s = clean(s); s != "" {
			e.Names = append(e.Names, screen.Name{Value: s, Kind: screen.OriginalScript})
		}
	}
	for _, n := range r.Nationality.Values {
		if n = clean(n); n != "" {
			e.Nationalities = append(e.Nationalities, n)
		}
	}
	for _, d := range r.DOBs {
		switch {
		case clean(d.Date) != "":
			e.BirthDates = append(e.BirthDates, clean(d.Date))
		case clean(d.Year) != "":
			e.BirthDates = append(e.BirthDates, clean(d.Year))
		case clean(d.FromYear) != "" && clean(d.ToYear) != "":
			e.BirthDates = append(e.BirthDates, clean(d.FromYear)+"/"+clean(d.ToYear))
		}
	}
	if p := clean(r.ListType); p != "" {
		e.Programs = []string{p}
	}
	return e, ""
}

// lineReader counts newlines so that errors can name a line.
type lineReader struct {
	r     io.Reader
	line  int
	off   int64
	marks []int64 // offsets of newlines
}

// Read reads and records newline offsets.
func (l *lineReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for i := 0; i < n; i++ {
		if p[i] == '\n' {
			l.marks = append(l.marks, l.off+int64(i))
			l.line++
		}
	}
	l.off += int64(n)
	return n, err
}

// lineAt returns the 1-based line of byte offset off.
func (l *lineReader) lineAt(off int64) int {
	lo, hi := 0, len(l.marks)
	for lo < hi {
		m := (lo + hi) / 2
		if l.marks[m] < off {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo + 1
}

// ParseFS reads the single .xml file at the root of fsys. It suits
// screen.ImportRequest.Parse.
func ParseFS(fsys fs.FS) ([]screen.Entry, error) {
	m, err := fs.Glob(fsys, "*.xml")
	if err != nil {
		return nil, err
	}
	if len(m) != 1 {
		return nil, &screen.ParseError{File: FileName, Reason: fmt.Sprintf("want exactly one .xml file, found %d", len(m))}
	}
	f, err := fsys.Open(m[0])
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseFile(f, m[0])
}
