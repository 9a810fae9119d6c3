package models

import (
	"testing"
	"time"
)

// TestAuditChainHash: the hash covers every field but ID and Hash, and the
// encoding keeps fields apart (moving text across a boundary changes it).
func TestAuditChainHash(t *testing.T) {
	actor := int64(7)
	base := AuditEntry{ID: 1, Seq: 3, At: time.Date(2026, 11, 2, 9, 0, 0, 123e6, time.UTC), ActorID: &actor, Actor: "alice",
		ActorRole: "SUPERVISOR", ClientAddr: "10.0.0.7", Action: AuditUserUpdate, TargetType: "user", TargetID: "9",
		Detail: "role CADRE → SUPERVISOR", Outcome: AuditSuccess, PrevHash: AuditGenesis}
	h := base.ChainHash()
	if len(h) != 64 {
		t.Fatalf("hash %q, want 64 hex digits", h)
	}
	other := int64(8)
	for name, change := range map[string]func(e *AuditEntry){
		"seq":         func(e *AuditEntry) { e.Seq++ },
		"time":        func(e *AuditEntry) { e.At = e.At.Add(time.Millisecond) },
		"actor id":    func(e *AuditEntry) { e.ActorID = &other },
		"no actor id": func(e *AuditEntry) { e.ActorID = nil },
		"actor":       func(e *AuditEntry) { e.Actor = "bob" },
		"role":        func(e *AuditEntry) { e.ActorRole = "ADMIN" },
		"address":     func(e *AuditEntry) { e.ClientAddr = "10.0.0.8" },
		"action":      func(e *AuditEntry) { e.Action = AuditUserCreate },
		"target type": func(e *AuditEntry) { e.TargetType = "device" },
		"target":      func(e *AuditEntry) { e.TargetID = "10" },
		"detail":      func(e *AuditEntry) { e.Detail += "." },
		"outcome":     func(e *AuditEntry) { e.Outcome = AuditFailure },
		"previous":    func(e *AuditEntry) { e.PrevHash = h },
		"boundary":    func(e *AuditEntry) { e.Actor, e.ActorRole = "aliceS", "UPERVISOR" },
	} {
		e := base
		change(&e)
		if e.ChainHash() == h {
			t.Errorf("changing the %s keeps the hash", name)
		}
	}
	e := base
	e.ID, e.Hash = 99, "whatever"
	if e.ChainHash() != h {
		t.Error("the hash depends on ID or Hash")
	}
}
