// Package authz decides who may do what: the caller of a request (a
// Principal) and the authorization matrix of role × operation → reach. It is
// pure: the store applies a reach in SQL (a cadre's own rows, a
// supervisor's org-unit subtree, everything), services ask it before work
// that needs no row, and its table test is the written policy.
package authz

import "github.com/henan-youth/onsite/models"

// Principal is the caller of a request: a signed-in user, as read from a
// verified access token, or the server itself (System).
type Principal struct {
	UserID    int64       // the user's id; positive for users, 0 for the system
	Username  string      // the user's login name, or what the system acts as
	Role      models.Role // what the user may do; empty for the system
	OrgUnitID int64       // the org unit the user belongs to; zero when none
	DeviceID  string      // the bound device the session was opened on; empty when none
	SessionID string      // the refresh-token family id of the session
	// AuthVersion is the account's auth version the access token was issued
	// at; a request or check-in whose account has moved on is refused
	// (SessionEnded).
	AuthVersion int64
	// MustChangePassword: the account must change its password first; Check
	// refuses every operation (PASSWORD_CHANGE_REQUIRED).
	MustChangePassword bool
	ClientAddr         string // the address the request came from, for the audit log; "" when unknown
	system             bool
}

// SessionEnded returns the UNAUTHENTICATED error of a session that a
// revocation ended: a disabled account, or an access token issued before the
// account's latest password, role, unit, device or logout-everywhere change.
func SessionEnded() error {
	return models.E(models.CodeUnauthenticated, "the session has ended; sign in again")
}

// System returns the principal of the server acting on its own behalf —
// signing a user in, importing the bundled counties, a command-line
// subcommand — named by what for the logs. It reaches every record; no
// token can carry it.
func System(what string) *Principal {
	return &Principal{Username: "system:" + what, system: true}
}

// IsSystem reports whether p is the server's own principal.
func (p *Principal) IsSystem() bool { return p != nil && p.system }

// Op names an operation the authorization matrix rules on.
type Op string

// The operations. Every Op has a row in Matrix; the matrix test fails for
// an Op without one.
const (
	ReadOrgUnits  Op = "orgunit.read"
	WriteOrgUnits Op = "orgunit.write"
	ReadUsers     Op = "user.read"
	WriteUsers    Op = "user.write"
	ResetPassword Op = "user.resetPassword"
	ReadDevices   Op = "device.read"
	ApproveDevice Op = "device.approve"
	ReadRegions   Op = "region.read"
	WriteRegions  Op = "region.write"
	ReadWork      Op = "work.read"      // work groups and assignments
	WriteWork     Op = "work.write"     // create work groups, assign, rotate
	CheckIn       Op = "checkin.create" // send one's own check-ins
	ReadCheckIns  Op = "checkin.read"   // check-ins, presence days, trips
	ReviewCheckIn Op = "checkin.review" // confirm or reject a waiting check-in
	SignIn        Op = "account.signIn" // look accounts up by name, bind devices, keep sessions: the server only
	UnlockAccount Op = "user.unlock"    // end an account's login lockout
	ReadAudit     Op = "audit.read"     // the security audit log
	ReadLedger    Op = "ledger.read"    // a record's ledger leaf, its canonical bytes and inclusion proofs
	ReadLedgerLog Op = "ledger.tree"    // checkpoints and consistency proofs: public, they hold no record

	RecordActivity Op = "activity.create" // record one's own youth work
	ReadActivities Op = "activity.read"   // activities, interviewees (contacts masked), needs, photos
	ReviewActivity Op = "activity.review" // confirm or reject a waiting activity
	RevealContact  Op = "contact.reveal"  // see an interviewee's contact in clear, with a logged reason (R11 call-backs)
	WriteFollowUps Op = "followup.write"  // open and update the follow-up of a need

	ReadSeminars     Op = "seminar.read"       // seminars (R9): their rounds, draws and talks
	WriteSeminars    Op = "seminar.write"      // open a seminar (which draws its speakers), record talks
	ReadTasks        Op = "task.read"          // task lists (R10): dispatch lists with progress, key-work lists with tick-offs
	WriteTasks       Op = "task.write"         // issue lists, brief, add and revise items, rule on tick-offs
	ReportTasks      Op = "task.report"        // report progress on one's own tasks, tick off one's own items
	ReadSummaries    Op = "summary.read"       // quarterly summaries and annual reports, their versions and decisions (R8)
	WriteSummaries   Op = "summary.write"      // write and submit one's own summaries and reports
	ReviewSummaries  Op = "summary.review"     // accept or return a submitted quarterly summary
	ReviewReports    Op = "report.review"      // accept or return a submitted annual report: configured receivers only
	SetReceivers     Op = "report.receivers"   // mark who receives annual reports (the secretaries' team)
	Inbox            Op = "notification.inbox" // read one's notifications, mark them read, subscribe to them
	ReadPolicy       Op = "policy.read"        // the thresholds in force for a unit, and their versions
	WritePolicy      Op = "policy.write"       // a new version of a unit's policy
	OverturnRuling   Op = "ruling.overturn"    // supersede the latest ruling on a check-in or an activity (see MaySupersede)
	RequestMakeUp    Op = "makeup.create"      // ask for a day on site to count without its check-ins (补卡)
	ReadMakeUps      Op = "makeup.read"        // make-up requests, their photos and decisions
	DecideMakeUp     Op = "makeup.decide"      // approve or refuse a make-up request
	ReadAbsences     Op = "absence.read"       // approved absences
	WriteAbsences    Op = "absence.write"      // record an approved absence, withdraw one
	ReadInspections  Op = "inspect.read"       // spot checks, findings, escalations, anomalies and the risk ranking (R11)
	WriteInspections Op = "inspect.write"      // draw spot checks, record findings and call-backs, escalate findings
	ReadAccessLog    Op = "access.read"        // who read a cadre's presence evidence, activities or contacts
	ReadCompliance   Op = "compliance.read"    // a unit's compliance report and annual appraisal, and their exports
	CloseQuarter     Op = "compliance.close"   // freeze a quarter's verdicts for a unit's subtree
)

// AllOps lists every operation, for the matrix test.
func AllOps() []Op {
	return []Op{ReadOrgUnits, WriteOrgUnits, ReadUsers, WriteUsers, ResetPassword, ReadDevices, ApproveDevice,
		ReadRegions, WriteRegions, ReadWork, WriteWork, CheckIn, ReadCheckIns, ReviewCheckIn, SignIn, UnlockAccount, ReadAudit,
		ReadLedger, ReadLedgerLog, RecordActivity, ReadActivities, ReviewActivity, RevealContact, WriteFollowUps,
		ReadSeminars, WriteSeminars, ReadTasks, WriteTasks, ReportTasks,
		ReadSummaries, WriteSummaries, ReviewSummaries, ReviewReports, SetReceivers, Inbox,
		ReadPolicy, WritePolicy,
		OverturnRuling, RequestMakeUp, ReadMakeUps, DecideMakeUp, ReadAbsences, WriteAbsences,
		ReadInspections, WriteInspections, ReadAccessLog, ReadCompliance, CloseQuarter}
}

// Reach is how far an operation reaches for one role.
type Reach int

// Reaches, narrowest first.
const (
	None    Reach = iota // refused
	Self                 // only the caller's own records
	Subtree              // records of users in the caller's org-unit subtree
	All                  // every record
)

func (r Reach) String() string {
	return [...]string{"none", "self", "subtree", "all"}[r]
}

// Matrix is the authorization matrix: role × operation → reach. Cadres see
// their own data; supervisors their org-unit subtree; the discipline group
// reads everything and writes only its own records (reviews). Check-ins
// are sent only by the dispatched cadre on the ground (R1 leaders are
// cadres of division rank), never on someone's behalf; only cadres have a
// bound device. The org chart itself (names of units) is readable by every
// signed-in user. Signing in is the server's own work.
//
// Administration is split three ways (三员分立): the system administrator
// (ADMIN) manages accounts, org units and regions (and keeps the business
// reads and reviews it had); the security administrator (SECURITY_ADMIN)
// approves devices and unlocks accounts (policies and keys are server
// configuration today); the audit administrator (AUDIT_ADMIN) reads the
// security audit log and changes nothing. Both of the latter read
// accounts, to know whom they act on or read about.
//
// The ledger's leaves are the discipline group's to check (and the system
// administrator's); a cadre may check its own records; its checkpoints are
// public. Youth work follows check-ins; an interviewee's contact in clear
// is for the discipline group only, for a call-back, with a logged reason.
//
// Seminars and task lists are a unit's: supervisors open seminars and
// issue lists in their subtree and rule on tick-offs there; a cadre reads
// the seminars it is a candidate of, and the lists of its own unit and the
// units above it ("Self"). Reporting progress and ticking an item off is
// done by the cadre or supervisor it is assigned to, never on its behalf.
//
// Summaries and annual reports (R8) are written by the cadre alone;
// supervisors review the quarterly summaries of their subtree. An annual
// report is addressed to the secretaries' team (书记班子): a supervisor
// reviews it only when an administrator has marked it a receiver (the
// store checks the mark), and only for its subtree. Notifications are
// each user's own; the administrators get none.
//
// The policy (the rules' thresholds) is read by everyone the rules concern
// and by those who judge them; the system administrator changes any
// unit's, a supervisor its own subtree's (cities set their own numbers,
// 参照执行). It is business configuration, not a security policy, so it is
// the system administrator's among the three.
//
// Corrections: a ruling is superseded by a supervisor above its author or
// by the discipline group (MaySupersede), never by an administrator, who
// manages the system and not the evidence. Make-up requests (补卡) are the
// cadre's own and a supervisor decides them; approved absences are
// recorded by the supervisor who approved them. Both are read as check-ins
// are.
//
// The inspection toolkit (spot checks, findings, anomalies) is the
// discipline group's alone; who read a cadre's data is shown to the group
// and to that cadre.
//
// A unit's compliance report (its cadres' verdicts with totals) is read by
// those who read the verdicts of every cadre in it: supervisors for their
// subtree, the discipline group and the system administrator; a cadre
// reads its own verdicts, not a unit's. Closing a quarter freezes the
// verdicts a supervisor answers for: a supervisor of the unit or above, or
// the system administrator.
func Matrix() map[Op]map[models.Role]Reach {
	const (
		C, S, D, A = models.RoleCadre, models.RoleSupervisor, models.RoleDiscipline, models.RoleAdmin
		SA, AA     = models.RoleSecurityAdmin, models.RoleAuditAdmin
	)
	return map[Op]map[models.Role]Reach{
		ReadOrgUnits:  {C: All, S: All, D: All, A: All, SA: All, AA: All},
		WriteOrgUnits: {C: None, S: Subtree, D: None, A: All, SA: None, AA: None},
		ReadUsers:     {C: Self, S: Subtree, D: All, A: All, SA: All, AA: All},
		WriteUsers:    {C: None, S: Subtree, D: None, A: All, SA: None, AA: None},
		ResetPassword: {C: None, S: None, D: None, A: All, SA: None, AA: None},
		ReadDevices:   {C: Self, S: Subtree, D: All, A: All, SA: All, AA: None},
		ApproveDevice: {C: None, S: None, D: None, A: None, SA: All, AA: None},
		ReadRegions:   {C: All, S: All, D: All, A: All, SA: None, AA: None},
		WriteRegions:  {C: None, S: None, D: None, A: All, SA: None, AA: None},
		ReadWork:      {C: Self, S: Subtree, D: All, A: All, SA: None, AA: None},
		WriteWork:     {C: None, S: Subtree, D: None, A: All, SA: None, AA: None},
		CheckIn:       {C: Self, S: None, D: None, A: None, SA: None, AA: None},
		ReadCheckIns:  {C: Self, S: Subtree, D: All, A: All, SA: None, AA: None},
		ReviewCheckIn: {C: None, S: Subtree, D: All, A: All, SA: None, AA: None},
		SignIn:        {C: None, S: None, D: None, A: None, SA: None, AA: None},
		UnlockAccount: {C: None, S: None, D: None, A: None, SA: All, AA: None},
		ReadAudit:     {C: None, S: None, D: None, A: None, SA: None, AA: All},
		ReadLedger:    {C: Self, S: None, D: All, A: All, SA: None, AA: None},
		ReadLedgerLog: {C: All, S: All, D: All, A: All, SA: All, AA: All},

		RecordActivity: {C: Self, S: None, D: None, A: None, SA: None, AA: None},
		ReadActivities: {C: Self, S: Subtree, D: All, A: All, SA: None, AA: None},
		ReviewActivity: {C: None, S: Subtree, D: All, A: All, SA: None, AA: None},
		RevealContact:  {C: None, S: None, D: All, A: None, SA: None, AA: None},
		WriteFollowUps: {C: Self, S: Subtree, D: None, A: All, SA: None, AA: None},

		ReadSeminars:     {C: Self, S: Subtree, D: All, A: All, SA: None, AA: None},
		WriteSeminars:    {C: None, S: Subtree, D: None, A: All, SA: None, AA: None},
		ReadTasks:        {C: Self, S: Subtree, D: All, A: All, SA: None, AA: None},
		WriteTasks:       {C: None, S: Subtree, D: None, A: All, SA: None, AA: None},
		ReportTasks:      {C: Self, S: Self, D: None, A: None, SA: None, AA: None},
		ReadSummaries:    {C: Self, S: Subtree, D: All, A: All, SA: None, AA: None},
		WriteSummaries:   {C: Self, S: None, D: None, A: None, SA: None, AA: None},
		ReviewSummaries:  {C: None, S: Subtree, D: None, A: None, SA: None, AA: None},
		ReviewReports:    {C: None, S: Subtree, D: None, A: None, SA: None, AA: None},
		SetReceivers:     {C: None, S: None, D: None, A: All, SA: None, AA: None},
		Inbox:            {C: Self, S: Self, D: Self, A: None, SA: None, AA: None},
		ReadPolicy:       {C: All, S: All, D: All, A: All, SA: None, AA: None},
		WritePolicy:      {C: None, S: Subtree, D: None, A: All, SA: None, AA: None},
		OverturnRuling:   {C: None, S: Subtree, D: All, A: None, SA: None, AA: None},
		RequestMakeUp:    {C: Self, S: None, D: None, A: None, SA: None, AA: None},
		ReadMakeUps:      {C: Self, S: Subtree, D: All, A: All, SA: None, AA: None},
		DecideMakeUp:     {C: None, S: Subtree, D: None, A: None, SA: None, AA: None},
		ReadAbsences:     {C: Self, S: Subtree, D: All, A: All, SA: None, AA: None},
		WriteAbsences:    {C: None, S: Subtree, D: None, A: None, SA: None, AA: None},
		ReadInspections:  {C: None, S: None, D: All, A: None, SA: None, AA: None},
		WriteInspections: {C: None, S: None, D: All, A: None, SA: None, AA: None},
		ReadAccessLog:    {C: Self, S: None, D: All, A: None, SA: None, AA: None},
		ReadCompliance:   {C: None, S: Subtree, D: All, A: All, SA: None, AA: None},
		CloseQuarter:     {C: None, S: Subtree, D: None, A: All, SA: None, AA: None},
	}
}

// matrix is Matrix, built once: Check runs on every request and field. It
// is never written.
var matrix = Matrix()

// Check returns how far op reaches for p: All for the system principal,
// the matrix's entry for a user. It fails with UNAUTHENTICATED without a
// principal, PASSWORD_CHANGE_REQUIRED for a principal that must change its
// password first (whatever op), and FORBIDDEN when the role has no reach
// for op.
func Check(p *Principal, op Op) (Reach, error) {
	if p == nil {
		return None, models.E(models.CodeUnauthenticated, "sign in first")
	}
	if p.system {
		return All, nil
	}
	if p.MustChangePassword {
		return None, models.E(models.CodePasswordChangeRequired, "change your password first (changePassword), then sign in again")
	}
	r := matrix[op][p.Role]
	if r == None {
		return None, models.E(models.CodeForbidden, "%s may not %s", p.Role, op)
	}
	return r, nil
}

// Ruler is the author of a ruling, as MaySupersede weighs it: its role and
// the materialized path of its org unit ("/1/4/"). The automatic
// acceptance of a check-in, or recording of an activity, has no ruler.
type Ruler struct {
	Role     models.Role
	UnitPath string
}

// MaySupersede decides whether p, whose org unit has path pPath and who
// has OverturnRuling reach over the record's owner (the caller checks it),
// may supersede the ruling made by latest (nil: the record's automatic
// acceptance): the discipline group always; a supervisor when the record
// was accepted automatically, or when the latest ruling is a supervisor's
// from a unit strictly below p's. So every overturn goes up the tree, and
// a ruling by the discipline group or an administrator is the discipline
// group's to supersede. FORBIDDEN otherwise, and for a principal without
// reach.
func MaySupersede(p *Principal, pPath string, latest *Ruler) error {
	r, err := Check(p, OverturnRuling)
	if err != nil {
		return err
	}
	if r == All || latest == nil {
		return nil
	}
	if latest.Role == models.RoleSupervisor && pPath != "" && len(latest.UnitPath) > len(pPath) && latest.UnitPath[:len(pPath)] == pPath {
		return nil
	}
	return models.E(models.CodeForbidden, "a ruling is superseded only by a supervisor of a unit above its author's, or by the discipline group")
}
