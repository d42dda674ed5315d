package tlsserve

import (
	"net"
	"net/netip"
	"slices"
	"strings"
)

// Iface is a network interface as far as finding LAN addresses needs it.
type Iface struct {
	Name     string
	Up       bool
	Loopback bool
	Addrs    []netip.Addr
}

// SystemIfaces lists this machine's interfaces.
func SystemIfaces() ([]Iface, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	out := make([]Iface, 0, len(ifs))
	for _, i := range ifs {
		addrs, err := i.Addrs()
		if err != nil {
			continue
		}
		f := Iface{Name: i.Name, Up: i.Flags&net.FlagUp != 0, Loopback: i.Flags&net.FlagLoopback != 0}
		for _, a := range addrs {
			if p, err := netip.ParsePrefix(a.String()); err == nil {
				f.Addrs = append(f.Addrs, p.Addr())
			}
		}
		out = append(out, f)
	}
	return out, nil
}

// virtualPrefixes name interfaces of containers and virtual machines, whose addresses other
// computers cannot reach: they come last.
var virtualPrefixes = []string{"docker", "br-", "veth", "virbr", "vboxnet", "vmnet", "cni", "flannel", "podman", "lxc", "tun", "tap", "wg", "zt", "tailscale"}

// LANAddrs are the addresses other computers may reach this machine at, best first: IPv4 on
// a physical interface before virtual ones, private IPv4 before other IPv4, IPv4 before IPv6.
// Loopback, link-local and down interfaces are left out.
func LANAddrs(ifs []Iface) []netip.Addr {
	type ranked struct {
		a    netip.Addr
		rank int
	}
	var out []ranked
	for _, i := range ifs {
		if !i.Up || i.Loopback {
			continue
		}
		virtual := slices.ContainsFunc(virtualPrefixes, func(p string) bool { return strings.HasPrefix(i.Name, p) })
		for _, a := range i.Addrs {
			a = a.Unmap()
			if a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsUnspecified() || a.IsMulticast() {
				continue
			}
			rank := 0
			switch {
			case a.Is4() && a.IsPrivate():
			case a.Is4():
				rank = 1
			default:
				rank = 2
			}
			if virtual {
				rank += 3
			}
			out = append(out, ranked{a, rank})
		}
	}
	slices.SortStableFunc(out, func(x, y ranked) int { return x.rank - y.rank })
	addrs := make([]netip.Addr, 0, len(out))
	for _, r := range out {
		if !slices.Contains(addrs, r.a) {
			addrs = append(addrs, r.a)
		}
	}
	return addrs
}
