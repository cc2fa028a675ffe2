package webhook

import (
	"errors"
	"net/netip"
	"net/url"
	"strings"
)

// ErrURL is returned for an endpoint URL that is not an absolute https URL (or http, when private
// targets are allowed) with a host and without credentials.
var ErrURL = errors.New("webhook: the URL must be https://host/… without user information")

// ErrAddress is returned when an endpoint resolves to an address that webhooks must not reach.
var ErrAddress = errors.New("webhook: the endpoint's address is loopback, private, link-local or otherwise not public")

// CheckURL checks an endpoint URL. Plain http is accepted only when private targets are allowed
// (development and tests). A literal IP host is checked as an address too.
func CheckURL(raw string, allowPrivate bool) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.Opaque != "" || len(raw) > 2048 {
		return ErrURL
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !allowPrivate {
			return ErrURL
		}
	default:
		return ErrURL
	}
	if ip, err := netip.ParseAddr(strings.Trim(u.Hostname(), "[]")); err == nil && !allowPrivate {
		return CheckAddr(ip)
	}
	if h := strings.ToLower(u.Hostname()); !allowPrivate && (h == "localhost" || strings.HasSuffix(h, ".localhost")) {
		return ErrAddress
	}
	return nil
}

// metadata are cloud metadata services reachable at addresses the other checks may let through.
var metadata = []netip.Prefix{
	netip.MustParsePrefix("100.64.0.0/10"),  // carrier-grade NAT (Alibaba's metadata lives here)
	netip.MustParsePrefix("192.0.0.0/24"),   // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),  // benchmarking
	netip.MustParsePrefix("fd00:ec2::/32"),  // AWS IPv6 metadata (also inside fc00::/7)
	netip.MustParsePrefix("64:ff9b::/96"),   // NAT64: could reach any IPv4 behind it
	netip.MustParsePrefix("2001:db8::/32"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),    // reserved
	netip.MustParsePrefix("0.0.0.0/8"),      // "this network"
	netip.MustParsePrefix("169.254.0.0/16"), // link-local, incl. 169.254.169.254
	netip.MustParsePrefix("255.255.255.255/32"),
}

// CheckAddr returns ErrAddress for an address that is not a public unicast address: loopback,
// private, link-local, unspecified, multicast, metadata and reserved ranges (IPv4-mapped IPv6
// addresses are judged as their IPv4 address).
func CheckAddr(ip netip.Addr) error {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() ||
		ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() || ip.IsMulticast() ||
		ip.IsUnspecified() || !ip.IsGlobalUnicast() {
		return ErrAddress
	}
	for _, p := range metadata {
		if p.Contains(ip) {
			return ErrAddress
		}
	}
	return nil
}
