package rpc

import (
	"net/http"
	"net/netip"
	"testing"
)

func TestClientAddress(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	for _, tc := range []struct {
		name, remote, xff string
		trusted           []netip.Prefix
		want              string
	}{
		{"no proxy configured: the peer", "203.0.113.5:4000", "198.51.100.1", nil, "203.0.113.5"},
		{"an untrusted peer's header is ignored", "203.0.113.5:4000", "198.51.100.1", proxies, "203.0.113.5"},
		{"behind a trusted proxy: the hop it saw", "10.1.2.3:4000", "198.51.100.1", proxies, "198.51.100.1"},
		{"forged left part ignored", "10.1.2.3:4000", "1.2.3.4, 198.51.100.1", proxies, "198.51.100.1"},
		{"chain of trusted proxies", "10.1.2.3:4000", "1.2.3.4, 198.51.100.1, 10.9.9.9", proxies, "198.51.100.1"},
		{"garbled hop: the last trusted one", "10.1.2.3:4000", "1.2.3.4, junk, 10.9.9.9", proxies, "10.9.9.9"},
		{"trusted proxy without a header", "10.1.2.3:4000", "", proxies, "10.1.2.3"},
		{"IPv6 peer", "[::1]:4000", "2001:db8::7", proxies, "2001:db8::7"},
		{"IPv4-mapped peer", "[::ffff:203.0.113.5]:4000", "", nil, "203.0.113.5"},
	} {
		h := http.Header{}
		if tc.xff != "" {
			h.Set("X-Forwarded-For", tc.xff)
		}
		if got := clientAddress(tc.remote, h, tc.trusted); got != tc.want {
			t.Errorf("%s: clientAddress(%q, %q) = %q, want %q", tc.name, tc.remote, tc.xff, got, tc.want)
		}
	}
}
