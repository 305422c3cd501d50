package render

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"codeberg.org/go-fonts/liberation/liberationsansbold"
	"codeberg.org/go-fonts/liberation/liberationsansregular"
	"codeberg.org/go-pdf/fpdf"

	"github.com/breachline/breachline/report/breach"
)

// pdfDoc is a report being laid out on A4 pages.
type pdfDoc struct {
	f     *fpdf.Fpdf
	width float64 // the text width between the margins, mm
}

const (
	margin = 15.0
	lineH  = 4.6
)

// PDF writes d as an A4 PDF, in-process: every page has the case id, the generation time (the
// case's as-of time) and its page number in the footer; the last page lists the evidence files
// with their sha256 and the tool version. The file carries no clock time: its creation and
// modification dates are the case's as-of time and its objects are written in a fixed order,
// so the same case gives the same bytes.
func PDF(w io.Writer, d *breach.Document, charts Charts) error {
	f := fpdf.New("P", "mm", "A4", "")
	pw, _ := f.GetPageSize()
	asOf, _ := time.Parse(time.RFC3339Nano, d.Record.Case.AsOf)
	f.SetCreationDate(asOf)
	f.SetModificationDate(asOf)
	f.SetCatalogSort(true)
	f.SetCompression(true)
	f.SetProducer("breachline "+d.Record.Case.ToolVersion, true)
	f.SetCreator("breachline "+d.Record.Case.ToolVersion, true)
	f.SetTitle(d.Title, true)
	f.SetSubject("case "+d.Record.Case.ID, true)
	f.AddUTF8FontFromBytes("sans", "", liberationsansregular.TTF)
	f.AddUTF8FontFromBytes("sans", "B", liberationsansbold.TTF)
	f.SetMargins(margin, margin, margin)
	f.SetAutoPageBreak(true, 18)
	f.AliasNbPages("{nb}")
	f.SetFooterFunc(func() {
		f.SetY(-12)
		f.SetFont("sans", "", 7.5)
		f.SetTextColor(90, 90, 90)
		f.CellFormat(pw-2*margin-22, 4, fmt.Sprintf("Case %s · generated as of %s", d.Record.Case.ID, d.Record.Case.AsOf), "", 0, "L", false, 0, "")
		f.CellFormat(22, 4, fmt.Sprintf("page %d of {nb}", f.PageNo()), "", 0, "R", false, 0, "")
		f.SetTextColor(0, 0, 0)
	})
	p := &pdfDoc{f: f, width: pw - 2*margin}
	f.AddPage()

	f.SetFont("sans", "B", 15)
	p.text(d.Title, 7)
	f.SetFont("sans", "", 10)
	p.text(d.Subtitle, 5)
	f.Ln(2)
	p.fields(d.Header)

	p.heading("Open items before filing")
	f.SetFont("sans", "", 9.5)
	if len(d.OpenItems) == 0 {
		p.text("None: every input this report needs has been entered.", lineH)
	}
	f.SetTextColor(140, 80, 0)
	for _, o := range d.OpenItems {
		p.text("• "+o, lineH)
	}
	f.SetTextColor(0, 0, 0)
	f.Ln(1)
	f.SetFont("sans", "", 8)
	p.text("Each value is marked [entered] (typed by a person into the case profile), [evidence: key] (derived from the logs; the key names the fact in the JSON record, with its findings and events) or [computed].", 3.8)

	for _, s := range d.Sections {
		p.heading(s.Heading)
		for _, b := range s.Blocks {
			switch b.Kind {
			case breach.Para:
				f.SetFont("sans", "", 9.5)
				p.text(b.Text, lineH)
				f.Ln(1)
			case breach.Fields:
				p.fields(b.Fields)
			case breach.List:
				f.SetFont("sans", "", 9)
				for _, it := range b.Items {
					p.text("• "+it, lineH)
				}
				f.Ln(1)
			case breach.TableBlock:
				p.table(b.Table)
			case breach.Chart:
				if err := p.image(b.Chart, charts[b.Chart]); err != nil {
					return err
				}
			}
		}
	}

	f.AddPage()
	p.heading("Evidence files")
	f.SetFont("sans", "", 8)
	for _, e := range d.Record.Evidence {
		f.SetFont("sans", "B", 8)
		p.text(e.Path, 3.8)
		f.SetFont("sans", "", 8)
		p.text(fmt.Sprintf("sha256 %s · %s · %d events · %s to %s", e.SHA256, e.Source, e.Events, e.FirstEvent, e.LastEvent), 3.8)
		f.Ln(1.2)
	}
	f.Ln(3)
	f.SetFont("sans", "", 9)
	p.text(fmt.Sprintf("Tool: breachline %s. Case %s as of custody entry %d (%s).", d.Record.Case.ToolVersion, d.Record.Case.ID,
		d.Record.Case.AsOfSeq, d.Record.Case.AsOfHash), lineH)
	if err := f.Error(); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// text writes a wrapped paragraph across the text width.
func (p *pdfDoc) text(s string, h float64) {
	p.f.MultiCell(p.width, h, visible(s, true), "", "L", false)
}

func (p *pdfDoc) heading(s string) {
	f := p.f
	_, pageH := f.GetPageSize()
	if f.GetY() > pageH-45 {
		f.AddPage()
	}
	f.Ln(3)
	f.SetFont("sans", "B", 12)
	p.text(s, 6)
	x, y := f.GetX(), f.GetY()
	f.SetDrawColor(150, 150, 150)
	f.Line(x, y, x+p.width, y)
	f.Ln(2)
}

func (p *pdfDoc) fields(fs []breach.Field) {
	f := p.f
	labelW := 55.0
	for _, fl := range fs {
		f.SetFont("sans", "", 9)
		value := visible(fl.Value, true)
		lines := f.SplitText(value, p.width-labelW)
		f.SetFont("sans", "B", 8.5)
		label := fl.Label
		if note := basisNote(string(fl.Basis), fl.Fact); note != "" {
			label += " [" + note + "]"
		}
		llines := f.SplitText(visible(label, false), labelW-1)
		h := float64(max(len(lines), len(llines))) * 4.2
		_, pageH := f.GetPageSize()
		if f.GetY()+h > pageH-18 {
			f.AddPage()
		}
		x, y := f.GetX(), f.GetY()
		f.MultiCell(labelW-1, 4.2, strings.Join(llines, "\n"), "", "L", false)
		f.SetXY(x+labelW, y)
		f.SetFont("sans", "", 9)
		if fl.Basis == breach.Open {
			f.SetTextColor(140, 80, 0)
		}
		f.MultiCell(p.width-labelW, 4.2, strings.Join(lines, "\n"), "", "L", false)
		f.SetTextColor(0, 0, 0)
		f.SetXY(x, y+h+0.8)
	}
	f.Ln(1)
}

// table draws a table whose rows wrap; column widths follow the content, within bounds.
func (p *pdfDoc) table(t *breach.Table) {
	f := p.f
	if len(t.Rows) == 0 {
		f.SetFont("sans", "", 9)
		p.text("None.", lineH)
		return
	}
	f.SetFont("sans", "", 6.5)
	n := len(t.Header)
	want := make([]float64, n)
	for i, h := range t.Header {
		want[i] = f.GetStringWidth(h) + 4
	}
	floor := make([]float64, n)
	for i, h := range t.Header {
		for _, word := range strings.Fields(h) {
			floor[i] = max(floor[i], f.GetStringWidth(word)+4)
		}
	}
	for _, r := range t.Rows {
		for i := 0; i < n && i < len(r); i++ {
			v := visible(r[i], false)
			want[i] = max(want[i], min(f.GetStringWidth(v)+4, 60))
			for _, word := range strings.Fields(v) {
				floor[i] = max(floor[i], min(f.GetStringWidth(word)+4, 30))
			}
		}
	}
	widths := fit(want, floor, p.width)
	row := func(cells []string, bold bool) {
		style := ""
		if bold {
			style = "B"
			f.SetFillColor(235, 235, 235)
		}
		f.SetFont("sans", style, 6.5)
		lines := make([][]string, n)
		hmax := 1
		for i := range n {
			c := ""
			if i < len(cells) {
				c = visible(cells[i], false)
			}
			lines[i] = f.SplitText(c, widths[i]-1)
			if len(lines[i]) == 0 {
				lines[i] = []string{""}
			}
			hmax = max(hmax, len(lines[i]))
		}
		h := float64(hmax)*3.3 + 1
		_, pageH := f.GetPageSize()
		if f.GetY()+h > pageH-18 {
			f.AddPage()
		}
		x, y := f.GetX(), f.GetY()
		for i := range n {
			f.Rect(x, y, widths[i], h, map[bool]string{true: "FD", false: "D"}[bold])
			f.SetXY(x+0.5, y+0.5)
			f.MultiCell(widths[i]-1, 3.3, strings.Join(lines[i], "\n"), "", "L", false)
			x += widths[i]
		}
		f.SetXY(margin, y+h)
	}
	f.SetDrawColor(180, 180, 180)
	row(t.Header, true)
	for _, r := range t.Rows {
		row(r, false)
	}
	f.Ln(2)
}

func (p *pdfDoc) image(name string, png []byte) error {
	if png == nil {
		return nil
	}
	f := p.f
	opt := fpdf.ImageOptions{ImageType: "PNG", ReadDpi: false}
	info := f.RegisterImageOptionsReader(name, opt, bytes.NewReader(png))
	if info == nil {
		return f.Error()
	}
	w := p.width
	h := info.Height() * w / info.Width()
	_, pageH := f.GetPageSize()
	if f.GetY()+h > pageH-18 {
		f.AddPage()
	}
	f.ImageOptions(name, margin, f.GetY(), w, h, true, opt, 0, "")
	f.Ln(2)
	return nil
}

// fit gives columns their wanted widths when they fit, and otherwise caps the widest ones at one
// level so that short columns (statuses, times) stay whole and long text wraps.
func fit(want, floor []float64, width float64) []float64 {
	fl := 0.0
	for _, w := range floor {
		fl += w
	}
	if fl > width {
		floor = slices.Clone(floor)
		for i := range floor {
			floor[i] *= width / fl
		}
	}
	total := 0.0
	for _, w := range want {
		total += w
	}
	out := make([]float64, len(want))
	if total <= width {
		for i, w := range want {
			out[i] = w * width / total
		}
		return out
	}
	lo, hi := 0.0, width
	for range 60 {
		level := (lo + hi) / 2
		sum := 0.0
		for i, w := range want {
			sum += max(min(w, level), floor[i])
		}
		if sum > width {
			hi = level
		} else {
			lo = level
		}
	}
	for i, w := range want {
		out[i] = max(min(w, lo), floor[i])
	}
	return out
}
