// Package render draws a breach report (breach.Document) as Markdown, self-contained HTML or PDF,
// with its charts drawn by gonum.org/v1/plot.
package render

import (
	"bytes"
	"fmt"
	"image/color"
	"sort"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/breachline/breachline/report/breach"
)

// Charts are the report's charts as PNG, by name ("exposure", "activity").
type Charts map[string][]byte

// DrawCharts draws the exposure and the activity chart of a facts record. The images depend on
// the record only: no clock, no random state.
func DrawCharts(r *breach.Record) (Charts, error) {
	exp, err := exposureChart(r)
	if err != nil {
		return nil, fmt.Errorf("exposure chart: %w", err)
	}
	act, err := activityChart(r)
	if err != nil {
		return nil, fmt.Errorf("activity chart: %w", err)
	}
	return Charts{"exposure": exp, "activity": act}, nil
}

func unix(s string) (float64, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, false
	}
	return float64(t.Unix()), true
}

var statusColor = map[string]color.Color{
	"misused":          color.RGBA{R: 0xc0, G: 0x1c, B: 0x28, A: 0xff},
	"exposed":          color.RGBA{R: 0xe6, G: 0x61, B: 0x00, A: 0xff},
	"possibly-misused": color.RGBA{R: 0x99, G: 0x41, B: 0x99, A: 0xff},
	"possibly-exposed": color.RGBA{R: 0x8a, G: 0x8a, B: 0x8a, A: 0xff},
}

func png(p *plot.Plot, w, h vg.Length) ([]byte, error) {
	wt, err := p.WriterTo(w, h, "png")
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if _, err := wt.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func timeAxis(p *plot.Plot, start, end float64) {
	p.X.Min, p.X.Max = start, end
	p.X.Tick.Marker = plot.TimeTicks{Ticker: hourTicks{}, Format: "01-02 15:04"}
	p.X.Label.Text = "time (UTC)"
}

func exposureChart(r *breach.Record) ([]byte, error) {
	p := plot.New()
	p.Title.Text = "Exposure to revocation, per credential"
	start, _ := unix(r.Case.WindowStart)
	end, _ := unix(r.Case.WindowEnd)
	var creds []breach.Credential
	for _, f := range []breach.Fact{r.Facts.CredentialsMisused, r.Facts.CredentialsExposed, r.Facts.CredentialsPossiblyMisused, r.Facts.CredentialsPossiblyExposed} {
		if l, ok := f.Value.(breach.CredentialList); ok {
			creds = append(creds, l.Credentials...)
		}
	}
	var ticks []plot.Tick
	var misuse plotter.XYs
	for i, c := range creds {
		y := float64(len(creds) - i)
		ticks = append(ticks, plot.Tick{Value: y, Label: label(c)})
		from, ok := unix(deref(c.FirstExposure))
		if !ok {
			continue
		}
		to := end
		if c.RevokedAt != nil {
			if t, ok := unix(*c.RevokedAt); ok {
				to = t
			}
		}
		end = max(end, to)
		start = min(start, from)
		l, err := plotter.NewLine(plotter.XYs{{X: from, Y: y}, {X: to, Y: y}})
		if err != nil {
			return nil, err
		}
		l.LineStyle.Width = vg.Points(9)
		l.LineStyle.Color = statusColor[c.Status]
		p.Add(l)
		for _, m := range []*string{c.FirstMisuse, c.LastMisuse} {
			if m != nil {
				if t, ok := unix(*m); ok {
					misuse = append(misuse, plotter.XY{X: t, Y: y})
				}
			}
		}
	}
	if len(misuse) > 0 {
		s, err := plotter.NewScatter(misuse)
		if err != nil {
			return nil, err
		}
		s.GlyphStyle.Shape = draw.CrossGlyph{}
		s.GlyphStyle.Radius = vg.Points(5)
		s.GlyphStyle.Color = color.Black
		p.Add(s)
		p.Legend.Add("first and last misuse", s)
	}
	for _, st := range []string{"misused", "exposed", "possibly-misused", "possibly-exposed"} {
		l, _ := plotter.NewLine(plotter.XYs{})
		l.LineStyle.Width = vg.Points(6)
		l.LineStyle.Color = statusColor[st]
		p.Legend.Add(st, l)
	}
	p.Legend.Top = true
	p.Legend.Left = true
	timeAxis(p, start, end)
	p.Y.Min, p.Y.Max = 0, float64(len(creds)+6) // the legend sits above the bars
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Add(plotter.NewGrid())
	return png(p, 18*vg.Centimeter, vg.Length(7+len(creds))*vg.Centimeter*0.75)
}

func label(c breach.Credential) string {
	s := c.Display
	if c.Owner != "" {
		s += " " + c.Owner
	}
	if len(s) > 40 {
		s = s[:39] + "…"
	}
	return s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func activityChart(r *breach.Record) ([]byte, error) {
	p := plot.New()
	p.Title.Text = "Events per hour by source, incident window"
	start, _ := unix(r.Case.WindowStart)
	end, _ := unix(r.Case.WindowEnd)
	counts, _ := r.Facts.Activity.Value.([]breach.HourCount)
	by := map[string]map[float64]float64{}
	for _, h := range counts {
		t, ok := unix(h.Hour)
		if !ok {
			continue
		}
		if by[h.Source] == nil {
			by[h.Source] = map[float64]float64{}
		}
		by[h.Source][t] += float64(h.Events)
	}
	sources := make([]string, 0, len(by))
	for s := range by {
		sources = append(sources, s)
	}
	sort.Strings(sources)
	for i, s := range sources {
		var xys plotter.XYs
		for t := start; t < end; t += 3600 {
			xys = append(xys, plotter.XY{X: t + 1800, Y: by[s][t]})
		}
		l, pts, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, err
		}
		l.Color = plotutil.Color(i)
		l.Dashes = plotutil.Dashes(i / 7)
		pts.Color = plotutil.Color(i)
		pts.Radius = vg.Points(1.5)
		p.Add(l, pts)
		p.Legend.Add(s, l)
	}
	p.Legend.Top = true
	timeAxis(p, start, end)
	p.Y.Min = 0
	p.Y.Label.Text = "events"
	p.Add(plotter.NewGrid())
	// Not quite as wide as the exposure chart: fpdf's catalog sort orders images by width only,
	// over a map, so two images of one width could swap places between runs.
	return png(p, 17.9*vg.Centimeter, 9*vg.Centimeter)
}

// hourTicks marks every 6 hours (every day over a long window), on the hour in UTC, so that the
// axis reads as clock times.
type hourTicks struct{}

func (hourTicks) Ticks(lo, hi float64) []plot.Tick {
	step := 6 * 3600.0
	for (hi-lo)/step > 5 {
		step *= 2
	}
	var out []plot.Tick
	for t := float64(int64(lo/step)) * step; t <= hi; t += step {
		if t >= lo {
			out = append(out, plot.Tick{Value: t, Label: "t"})
		}
	}
	return out
}
