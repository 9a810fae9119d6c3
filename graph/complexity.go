package graph

import (
	"time"

	"github.com/henan-youth/onsite/anomaly"
	"github.com/henan-youth/onsite/compliance"
	"github.com/henan-youth/onsite/graph/model"
	"github.com/henan-youth/onsite/inspect"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/presence"
	"github.com/henan-youth/onsite/seminar"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/tasks"
)

// maxCost saturates complexity: nested lists multiply, and a product that
// overflowed int would wrap negative and pass the limit.
const maxCost = 1 << 40

// listCost is the complexity of a list field: the page size times the cost
// of one element, so `first` cannot multiply work past the limit. The page
// is first (the default 20 when absent or not positive), at most
// store.MaxPageSize, which the store refuses to exceed before any work.
func listCost(first *int, child int) int {
	n := 20
	if first != nil && *first > 0 {
		n = min(*first, store.MaxPageSize)
	}
	return fixedList(n, child)
}

// fixedList is the complexity of a list of at most n elements.
func fixedList(n, child int) int {
	if child >= maxCost/(n+1) {
		return maxCost
	}
	return 1 + n*(child+1)
}

// The sizes charged for lists without a page argument. Each is the list's
// bound where the rules give one, else what the data holds in practice;
// the response size limit covers the rare larger answer.
const (
	devicesPerUser      = 5   // a bound device and the phones replaced before it
	membersPerGroup     = 10  // R1: a leader and an organ cadre; a group allows 100
	versionsPerRegion   = 10  // geometry re-imports
	candidatesPerLocate = 10  // regions within reach of one point
	daysPerQuarter      = 100 // one per region and date: 92 dates, mostly one region
	tripsPerQuarter     = 50  // a trip lasts at least one day
	gapsPerRule         = 5   // one sentence per unmet condition
	importWarnings      = 20  // per import; most have none
	namedParticipants   = 500 // activity.Input's bound
	needsPerActivity    = 20  // activity.Input's bound
	photosPerActivity   = 9   // activity.MaxPhotos
	revealsPerContact   = 10  // call-backs of one interviewee
	followUpChanges     = 20  // history of one case
	proofHashes         = 64  // a proof has at most 2·log2(size) hashes
	versionsPerSummary  = 10  // a summary returned and revised
	reportReceivers     = 50  // the secretaries' teams of the province and its cities
	quartersPerPeriod   = 4   // an annual report's
	changesPerQuarter   = 20  // numbers a summary compares
	liveCost            = 100 // a summary's live numbers: every quarter's days, trips and youth work read again
	verdictsPerQuarter  = 16  // R2, R3, R4 per linked campus, R6, R7, two R8 documents, R9
	numbersPerRule      = 4   // R6 counts four kinds
	choicesPerKey       = 3   // the most choices a policy key offers
	rulingsPerRecord    = 10  // a first ruling and the few that supersede it, each from higher up
	photosPerMakeUp     = 9   // makeup.MaxPhotos
	findingsPerItem     = 10  // a sampled day's findings: a check, call-backs
	anomalyRefs         = 20  // anomaly's records: ten of a kind and ten photos
	verdictsPerRow      = 10  // a report row's verdicts: eight rules and a campus or two (R4)
	versionsPerReport   = 20  // a report's policy versions: the province's and its cities'
)

// complexity gives every list field its cost: connections by their page
// size, lists by their bound (TestEveryListHasACost walks the schema). A
// connection's edges cost one more than their element, which the
// connection field multiplies by the page.
func complexity() ComplexityRoot {
	var c ComplexityRoot
	page := func(child int, first *int) int { return listCost(first, child) }
	edges := func(child int) int { return 1 + child }

	c.Query.OrgUnits = func(child int, _ *int64, first *int, _ *string) int { return page(child, first) }
	c.Query.Users = func(child int, _ *int64, _ *bool, _ *models.Role, first *int, _ *string) int {
		return page(child, first)
	}
	c.Query.Devices = func(child int, _ *int64, _ *models.DeviceStatus, first *int, _ *string) int {
		return page(child, first)
	}
	c.Query.Regions = func(child int, _ *models.RegionKind, _ *string, first *int, _ *string) int { return page(child, first) }
	c.Query.MyCheckIns = func(child int, _, _ time.Time, first *int, _ *string) int { return page(child, first) }
	c.Query.CheckIns = func(child int, _ *int64, _ *models.CheckInStatus, first *int, _ *string) int {
		return page(child, first)
	}
	c.Query.WorkGroups = func(child int, _ *int64, first *int, _ *string) int { return page(child, first) }
	c.Query.Assignments = func(child int, _ *int64, _ *string, first *int, _ *string) int { return page(child, first) }
	c.OrgUnit.Children = func(child int, first *int, _ *string) int { return page(child, first) }
	c.OrgUnit.Users = func(child int, first *int, _ *string) int { return page(child, first) }

	c.OrgUnitConnection.Edges = edges
	c.UserConnection.Edges = edges
	c.DeviceConnection.Edges = edges
	c.RegionConnection.Edges = edges
	c.CheckInConnection.Edges = edges
	c.WorkGroupConnection.Edges = edges
	c.AssignmentConnection.Edges = edges

	c.Mutation.SyncCheckIns = func(child int, inputs []*model.CheckInInput) int { return fixedList(max(len(inputs), 1), child) }
	c.Mutation.Assign = func(child int, _ model.AssignInput) int { return fixedList(membersPerGroup, child) }
	c.User.Devices = func(child int) int { return fixedList(devicesPerUser, child) }
	c.WorkGroup.Members = func(child int) int { return fixedList(membersPerGroup, child) }
	c.Region.Versions = func(child int) int { return fixedList(versionsPerRegion, child) }
	c.Query.SecurityAudit = func(child int, _ *int64, _, _ *string, _, _ *time.Time, first *int, _ *string) int {
		return listCost(first, child)
	}
	c.AuditEntryConnection.Edges = edges
	c.Query.Activities = func(child int, _, _ *int64, _ *models.ActivityKind, _, _ *string, _ *bool, first *int, _ *string) int {
		return page(child, first)
	}
	c.Query.FollowUps = func(child int, _, _ *int64, _ *models.FollowUpStatus, _ *bool, first *int, _ *string) int {
		return page(child, first)
	}
	c.Query.UnitYouthWork = func(child int, _ int64, _, _ int, first *int, _ *string) int { return page(child, first) }
	c.ActivityConnection.Edges = edges
	c.FollowUpConnection.Edges = edges
	c.YouthWorkConnection.Edges = edges
	c.Mutation.SyncActivities = func(child int, inputs []*model.ActivityInput) int { return fixedList(max(len(inputs), 1), child) }
	c.Activity.ParticipantList = func(child int) int { return fixedList(namedParticipants, child) }
	c.Activity.Needs = func(child int) int { return fixedList(needsPerActivity, child) }
	c.Activity.Photos = func(child int) int { return fixedList(photosPerActivity, child) }
	c.Interviewee.Reveals = func(child int) int { return fixedList(revealsPerContact, child) }
	c.FollowUp.History = func(child int) int { return fixedList(followUpChanges, child) }
	c.YouthWork.Kinds = func(child int) int { return fixedList(len(models.ActivityKinds()), child) }
	c.InclusionProof.Hashes = func(child int) int { return fixedList(proofHashes, child) }
	c.ConsistencyProof.Hashes = func(child int) int { return fixedList(proofHashes, child) }
	c.Region.Geometry = func(int, *float64) int { return 10 } // a few hundred vertices of JSON
	c.LocateResult.Candidates = func(child int) int { return fixedList(candidatesPerLocate, child) }
	c.QuarterPresence.Days = func(child int) int { return fixedList(daysPerQuarter, child) }
	c.QuarterPresence.Trips = func(child int) int { return fixedList(tripsPerQuarter, child) }
	c.RuleResult.Gaps = func(child int) int { return fixedList(gapsPerRule, child) }
	c.RuleResult.Numbers = func(child int) int { return fixedList(numbersPerRule, child) }
	c.Query.Verdicts = func(child int, _ int64, _, _ int) int { return fixedList(verdictsPerQuarter, child) }
	c.ComplianceReport.Rows = func(child int, first *int, _ *string, _ *bool, _ *string) int { return page(child, first) }
	c.ComplianceReport.Totals = func(child int) int { return fixedList(verdictsPerQuarter, child) }
	c.ComplianceReport.PolicyVersions = func(child int) int { return fixedList(versionsPerReport, child) }
	c.ComplianceRow.Rules = func(child int) int { return fixedList(verdictsPerRow, child) }
	c.ComplianceRow.ChangedSinceClosing = func(child int) int { return fixedList(verdictsPerRow, child) }
	c.ComplianceRowConnection.Edges = edges
	keys := len(compliance.Keys())
	c.Query.PolicyKeys = func(child int) int { return fixedList(keys, child) }
	c.PolicyKey.Choices = func(child int) int { return fixedList(choicesPerKey, child) }
	c.EffectivePolicy.Values = func(child int) int { return fixedList(keys, child) }
	c.PolicyVersion.Settings = func(child int) int { return fixedList(keys, child) }
	c.Query.PolicyVersions = func(child int, _ int64, first *int, _ *string) int { return page(child, first) }
	c.PolicyVersionConnection.Edges = edges
	c.ImportRegionsResult.Warnings = func(child int) int { return fixedList(importWarnings, child) }
	flags := len(presence.AllFlags())
	c.CheckIn.Flags = func(child int) int { return fixedList(flags, child) }
	c.CheckInResult.Flags = func(child int) int { return fixedList(flags, child) }
	c.Activity.Flags = func(child int) int { return fixedList(flags+photosPerActivity, child) }
	dutyCosts(&c)

	c.Query.Summaries = func(child int, _ int64, _ int, _ *int, _ *models.SummaryStatus, first *int, _ *string) int {
		return page(child, first)
	}
	c.Query.MissingSummaries = func(child int, _ int64, _ int, _ *int, first *int, _ *string) int { return page(child, first) }
	c.Query.AnnualReportReceivers = func(child int) int { return fixedList(reportReceivers, child) }
	c.Query.Notifications = func(child int, _ *bool, first *int, _ *string) int { return page(child, first) }
	c.SummaryConnection.Edges = edges
	c.NotificationConnection.Edges = edges
	c.Summary.Versions = func(child int) int { return fixedList(versionsPerSummary, child) }
	c.Summary.Live = func(child int) int { return liveCost + child }
	c.SummaryNumbers.Quarters = func(child int) int { return fixedList(quartersPerPeriod, child) }
	c.QuarterNumbers.R2Gaps = func(child int) int { return fixedList(gapsPerRule, child) }
	c.QuarterNumbers.Activities = func(child int) int { return fixedList(len(models.ActivityKinds()), child) }
	c.LiveNumbers.Changes = func(child int) int { return fixedList(quartersPerPeriod*changesPerQuarter, child) }

	c.CheckIn.Rulings = func(child int) int { return fixedList(rulingsPerRecord, child) }
	c.CheckIn.CountsAt = func(child int) int { return fixedList(candidatesPerLocate, child) }
	c.Activity.Rulings = func(child int) int { return fixedList(rulingsPerRecord, child) }
	c.MakeUpRequest.Photos = func(child int) int { return fixedList(photosPerMakeUp, child) }
	c.Query.MakeUps = func(child int, _ *int64, _ *models.MakeUpStatus, _, _ *string, first *int, _ *string) int {
		return page(child, first)
	}
	c.Query.Absences = func(child int, _, _ *int64, _, _ *string, _ *bool, first *int, _ *string) int {
		return page(child, first)
	}
	c.MakeUpRequestConnection.Edges = edges
	c.AbsenceConnection.Edges = edges

	c.Query.SpotChecks = func(child int, first *int, _ *string) int { return page(child, first) }
	c.Query.Findings = func(child int, _, _, _ *int64, _ *models.FindingOutcome, first *int, _ *string) int {
		return page(child, first)
	}
	c.Query.RiskRanking = func(child int, _ *int64, _, _ string, first *int, _ *string) int { return page(child, first) }
	c.Query.AccessLog = func(child int, _, _ *int64, _, _ *time.Time, first *int, _ *string) int { return page(child, first) }
	c.SpotCheck.Items = func(child int, first *int, _ *string) int { return page(child, first) }
	c.SpotCheckConnection.Edges = edges
	c.SpotCheckItemConnection.Edges = edges
	c.FindingConnection.Edges = edges
	c.CadreRiskConnection.Edges = edges
	c.AccessEntryConnection.Edges = edges
	c.SpotCheckItem.Findings = func(child int) int { return fixedList(findingsPerItem, child) }
	c.Finding.Refs = func(child int) int { return fixedList(inspect.MaxRefs, child) }
	c.Anomaly.Refs = func(child int) int { return fixedList(anomalyRefs, child) }
	c.CadreRisk.Anomalies = func(child int) int { return fixedList(len(anomaly.Kinds()), child) }
	return c
}

// The sizes of the seminars' and task lists' lists without a page
// argument, where the input gives no bound.
const (
	candidatesPerRound = 100 // a city's dispatched cadres; a province-wide round has more
	talksPerSeminar    = 60  // a talk per speaker and a few corrections
	briefingsPerList   = 20  // one before each trip of a quarter
	changesPerItem     = 10  // reassignments and new deadlines of one item
	tickOffsPerItem    = 5   // a returned tick-off is followed by another
)

// dutyCosts gives the seminars' and task lists' list fields their costs.
func dutyCosts(c *ComplexityRoot) {
	page := func(child int, first *int) int { return listCost(first, child) }
	edges := func(child int) int { return 1 + child }
	c.Query.Seminars = func(child int, _, _ *int64, first *int, _ *string) int { return page(child, first) }
	c.Query.SeminarSpeakersOwed = func(child int, _ int64, _, _ int, first *int, _ *string) int { return page(child, first) }
	c.Query.DispatchTaskLists = func(child int, _ *int64, _, _ *int, first *int, _ *string) int { return page(child, first) }
	c.Query.TaskReports = func(child int, _, _, _ *int64, first *int, _ *string) int { return page(child, first) }
	c.Query.KeyWorkLists = func(child int, _ *int64, first *int, _ *string) int { return page(child, first) }
	c.Query.KeyWorkItems = func(child int, _, _, _ *int64, _ *models.KeyWorkStatus, _ *bool, first *int, _ *string) int {
		return page(child, first)
	}
	c.KeyWorkList.Items = func(child int, first *int, _ *string) int { return page(child, first) }
	c.SeminarConnection.Edges = edges
	c.DispatchTaskListConnection.Edges = edges
	c.TaskReportConnection.Edges = edges
	c.KeyWorkListConnection.Edges = edges
	c.KeyWorkItemConnection.Edges = edges

	c.Seminar.WorkGroupIds = func(child int) int { return fixedList(seminar.MaxGroups, child) }
	c.Seminar.Candidates = func(child int) int { return fixedList(candidatesPerRound, child) }
	c.Seminar.Speakers = func(child int) int { return fixedList(seminar.MaxSpeakers, child) }
	c.Seminar.Talks = func(child int) int { return fixedList(talksPerSeminar, child) }
	c.DispatchTaskList.Tasks = func(child int) int { return fixedList(tasks.MaxTasks, child) }
	c.DispatchTaskList.Briefings = func(child int) int { return fixedList(briefingsPerList, child) }
	c.KeyWorkItem.Changes = func(child int) int { return fixedList(changesPerItem, child) }
	c.KeyWorkItem.TickOffs = func(child int) int { return fixedList(tickOffsPerItem, child) }
	c.KeyWorkTickOff.ActivityIds = func(child int) int { return fixedList(tasks.MaxActivities, child) }
	c.KeyWorkTickOff.Photos = func(child int) int { return fixedList(tasks.MaxPhotos, child) }
}
