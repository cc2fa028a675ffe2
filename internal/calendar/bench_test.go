package calendar

import (
	"testing"
	"time"
)

func benchCal(b *testing.B) (*Calendar, time.Time) {
	ws, _ := ParseWeek("mon-fri 09:00-12:00 14:00-19:00; sat 09:00-12:00")
	cal, err := New("Europe/Paris", ws, nil)
	if err != nil {
		b.Fatal(err)
	}
	loc := cal.Location()
	return cal, time.Date(2026, 3, 6, 18, 30, 0, 0, loc) // a Friday evening
}

func BenchmarkAdd2h(b *testing.B) {
	cal, t0 := benchCal(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := cal.Add(t0.Add(time.Duration(i%5000)*time.Minute), 2*time.Hour); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAdd48h(b *testing.B) {
	cal, t0 := benchCal(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := cal.Add(t0.Add(time.Duration(i%5000)*time.Minute), 48*time.Hour); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNextOpen(b *testing.B) {
	cal, t0 := benchCal(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := cal.NextOpen(t0.Add(time.Duration(i%5000) * time.Minute)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBetweenMonth(b *testing.B) {
	cal, t0 := benchCal(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		from := t0.Add(time.Duration(i%5000) * time.Minute)
		if cal.Between(from, from.AddDate(0, 1, 0)) == 0 {
			b.Fatal("no open time in a month")
		}
	}
}

// BenchmarkBaselineTimeAdd is the floor: plain time.Time arithmetic with a zone conversion.
func BenchmarkBaselineTimeAdd(b *testing.B) {
	cal, t0 := benchCal(b)
	loc := cal.Location()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_ = t0.Add(time.Duration(i%5000) * time.Minute).Add(2 * time.Hour).In(loc)
	}
}
