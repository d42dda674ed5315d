package classroom

import (
	"context"
	"errors"
	"fmt"

	"github.com/liveserver/liveserver/internal/domain"
)

// Quotas bound the bytes stored, as the database counts them (domain.StorageStore: shared
// files now, recordings later); zero is unlimited.
type Quotas struct {
	// Room bounds one room, all its lectures together.
	Room int64
	// Host bounds every room of one owner together.
	Host int64
	// Instance bounds the whole instance.
	Instance int64
}

// errOverQuota stops an upload that would cross a quota.
var errOverQuota = errors.New("upload over a storage quota")

// quotaState is one quota against what it holds now.
type quotaState struct {
	name        string // room, host, instance
	used, limit int64
}

func (q quotaState) left() int64 { return q.limit - q.used }

// active are the configured quotas with their use.
func (q Quotas) active(u domain.StorageUse) []quotaState {
	var out []quotaState
	for _, s := range []quotaState{{"room", u.Room, q.Room}, {"host", u.Host, q.Host}, {"instance", u.Instance, q.Instance}} {
		if s.limit > 0 {
			out = append(out, s)
		}
	}
	return out
}

// tightest is the quota with the least room left; ok is false when none is configured.
func (q Quotas) tightest(u domain.StorageUse) (quotaState, bool) {
	var best quotaState
	ok := false
	for _, s := range q.active(u) {
		if !ok || s.left() < best.left() {
			best, ok = s, true
		}
	}
	return best, ok
}

// crossed is the first quota that adding size bytes would take over its limit.
func (q Quotas) crossed(u domain.StorageUse, size int64) (quotaState, bool) {
	for _, s := range q.active(u) {
		if s.used+size > s.limit {
			return s, true
		}
	}
	return quotaState{}, false
}

// quotaError says which quota is full and how much of it is used.
func quotaError(q quotaState) error {
	what := map[string]string{
		"room":     "this room's storage quota",
		"host":     "the host's storage quota (all their rooms together)",
		"instance": "this server's storage quota",
	}[q.name]
	return &domain.Error{Code: domain.EQuotaExceeded,
		Message: fmt.Sprintf("The file does not fit in %s: %s of %s used. Delete files to make room.", what, megabytes(q.used), megabytes(q.limit)),
		Details: domain.QuotaDetails{Quota: q.name, UsedBytes: q.used, LimitBytes: q.limit}}
}

// megabytes writes a size for people, in MB (2^20 bytes) with one decimal below 10 MB.
func megabytes(n int64) string {
	mb := float64(n) / (1 << 20)
	if mb < 10 && n%(1<<20) != 0 {
		return fmt.Sprintf("%.1f MB", mb)
	}
	return fmt.Sprintf("%.0f MB", mb)
}

// StorageReport is the admin panel's view of what is stored.
type StorageReport struct {
	// Used is the instance's stored bytes; Quotas the configured limits (zero: none).
	Used   int64
	Quotas Quotas
	// Disk is the blob store's file system; nil when the blobs are not on a local disk (S3).
	Disk *domain.DiskSpace
	// TopHosts are the accounts holding the most bytes, most first.
	TopHosts []HostStorage
}

// HostStorage is one account's stored bytes.
type HostStorage struct {
	UserID, Email, Name string
	Bytes               int64
}

// topHosts is how many accounts the report lists.
const topHosts = 10

// Storage reports the instance's storage for the admin panel.
func (s *Service) Storage(ctx context.Context, actor domain.Actor) (*StorageReport, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	use, err := s.store.StorageUse(ctx, "")
	if err != nil {
		return nil, err
	}
	owners, err := s.store.StorageByOwner(ctx, topHosts)
	if err != nil {
		return nil, err
	}
	out := &StorageReport{Used: use.Instance, Quotas: s.opts.Quotas, TopHosts: make([]HostStorage, 0, len(owners))}
	for _, o := range owners {
		h := HostStorage{UserID: o.UserID, Bytes: o.Bytes}
		if u, err := s.store.UserByID(ctx, o.UserID); err == nil {
			h.Email, h.Name = u.Email, u.Name
		} else if domain.ErrorCode(err) != domain.ENotFound {
			return nil, err
		}
		out.TopHosts = append(out.TopHosts, h)
	}
	if sp, ok := s.blobs.(domain.BlobSpace); ok {
		d, err := sp.Space(ctx)
		if err != nil {
			return nil, err
		}
		out.Disk = &d
	}
	return out, nil
}
