package apiclient

// The query documents, in one place. Field names are the schema's
// (graphql/schema.graphql); the tests of cmd/taskledger and dashboard send
// every one of them to a live server.

// CardFields selects a ScoreCard with its line items.
const CardFields = `unit name total totalText grade gradeEn gradeCapped rank slips
  lines { rule points pointsText obligation metric zh en eventIds }`

// ScorecardQuery asks for a year's scorecards of one kind, computed now as
// of $asOf, and the ledger's notice (set for a simulated ledger).
const ScorecardQuery = `query Scorecard($year: Int!, $kind: ScorecardKind!, $scheme: String, $schemeVersion: Int, $asOf: Time, $plan: ID) {
  ledger { notice }
  scorecard(year: $year, kind: $kind, scheme: $scheme, schemeVersion: $schemeVersion, asOf: $asOf, plan: $plan) {
    plan year kind scheme schemeVersion asOf position digest published
    cards { ` + CardFields + ` }
  }
}`

// PublishedQuery asks for the published scorecards of a year and kind,
// newest first, and the ledger's notice.
const PublishedQuery = `query Published($year: Int!, $kind: ScorecardKind!) {
  ledger { notice }
  publishedScorecards(year: $year, kind: $kind, first: 500) { nodes { plan scheme schemeVersion asOf digest cards { ` + CardFields + ` } } }
}`

// ObligationFields selects an Obligation as taskledger obligations
// --format json prints it.
const ObligationFields = `id plan task taskTitle unit unitName role status light progress reports nextDue startsOn basis
  milestones { id what due originalDue extended completion overdue light slipped }
  lastReport { eventId percent note recordedAt effectiveAt }
  pendingExtension { milestone currentDue requestedDue reason requestedAt }
  slips findings`

// ObligationsQuery asks for one page of a unit's obligations (a Relay
// connection: pass pageInfo.endCursor as $after while hasNextPage).
const ObligationsQuery = `query Obligations($unit: ID, $status: ObligationStatus, $asOf: Time, $first: Int, $after: String) {
  obligations(unit: $unit, status: $status, asOf: $asOf, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } asOf
    nodes { ` + ObligationFields + ` }
  }
}`

// UnitQuery resolves a unit by id, name or alias.
const UnitQuery = `query Unit($id: ID!) { unit(id: $id) { id name } }`

// MeQuery asks who the token acts as and the unit it acts for.
const MeQuery = `query Me { me { role unitId name actor unit { id name } } }`

// TasksQuery asks for the tasks' labels, such as （十）: the default plan's,
// at most 500 (a plan has a few dozen).
const TasksQuery = `query Tasks { tasks(first: 500) { nodes { plan number label title } } }`

// StatusQuery asks what the ledger is and who the token acts as.
const StatusQuery = `query Status {
  ledger { mode notice head viewPosition defaultPlan now }
  me { role unitId name actor }
}`
