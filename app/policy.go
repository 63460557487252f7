package app

import (
	"context"
	"errors"
	"slices"

	"taskledger/auth"
	"taskledger/domain"
	"taskledger/internal/msg"
)

// Action is something a principal may be allowed to do. Allowed holds the
// role matrix that docs/graphql.md prints and the role tests walk.
type Action string

// The actions.
const (
	ReadLedger       Action = "read the ledger's mode and head"
	ReadPublished    Action = "read published scorecards"
	ReadProofs       Action = "read checkpoints and Merkle proofs"
	ReadCatalog      Action = "read plans, tasks and units"
	ReadObligations  Action = "read obligations"
	ReadScorecard    Action = "compute scorecards"
	ReadLineEvents   Action = "read the events behind scorecard lines"
	ReadAudit        Action = "read audit trails"
	ReadEvents       Action = "read the global event log"
	SubscribeEvents  Action = "subscribe to appended events"
	SubscribeSlips   Action = "subscribe to deadline slips"
	ImportPlan       Action = "import plans"
	Assign           Action = "assign responsibilities"
	Withdraw         Action = "withdraw responsibilities"
	DecideExtension  Action = "decide extension requests"
	RecordIndicator  Action = "record indicators"
	Report           Action = "report progress"
	RequestExtension Action = "request extensions"
	Claim            Action = "claim completion"
	Verify           Action = "verify completions"
	Reject           Action = "reject completions"
	RecordFinding    Action = "record findings"
	AdoptScheme      Action = "adopt scoring schemes"
	PublishScorecard Action = "publish scorecards"
	RecordSlips      Action = "record deadline slips and reminders"
	ManageTokens     Action = "create and list API tokens"
	Simulate         Action = "record a simulated year"
	UploadEvidence   Action = "upload evidence files"
	ReadEvidence     Action = "download evidence files"
	SendBackWork     Action = "send reports and claims back for revision"
	CommentOn        Action = "comment on obligations"
	SignOffParts     Action = "sign off supporting parts"
	ReadLedDuties    Action = "read the duties on tasks a unit leads"
	// Rectification and appeals (整改, 申诉).
	ReportRectification Action = "report rectification"
	ReviewRectification Action = "verify, reject and reschedule rectification"
	FileAppeal          Action = "file appeals"
	RuleAppeal          Action = "rule on appeals"
	ReadAppeals         Action = "read rectifications and appeals"
	ChangePlan          Action = "change plans: milestones, reassignments and units"
	IssueBulletin       Action = "issue bulletins"
	ReadBulletins       Action = "read issued bulletins"
	ManageAccounts      Action = "create, disable and reset personal accounts"
	ReadUnitView        Action = "read a unit's own view and provisional score"
)

// Actions lists every action, in the order of the role matrix.
func Actions() []Action {
	return []Action{
		ReadLedger, ReadPublished, ReadProofs, ReadCatalog, ReadObligations, ReadScorecard,
		ReadLineEvents, ReadAudit, ReadEvents, SubscribeEvents, SubscribeSlips,
		ImportPlan, Assign, Withdraw, DecideExtension, RecordIndicator,
		Report, RequestExtension, Claim, Verify, Reject, RecordFinding,
		AdoptScheme, PublishScorecard, RecordSlips, ManageTokens, Simulate,
		UploadEvidence, ReadEvidence,
		SendBackWork, CommentOn, SignOffParts, ReadLedDuties,
		ReportRectification, ReviewRectification, FileAppeal, RuleAppeal, ReadAppeals,
		ChangePlan, IssueBulletin, ReadBulletins,
		ManageAccounts, ReadUnitView,
	}
}

// UnitScoped reports whether a bureau or county principal may take the
// action only for its own unit.
func UnitScoped(a Action) bool {
	switch a {
	case ReadObligations, ReadAudit, SubscribeEvents, SubscribeSlips, Report, RequestExtension, Claim:
		return true
	case ReadEvidence, ReadLedDuties, ReportRectification, FileAppeal, ReadAppeals:
		return true
	case ReadUnitView:
		return true
	}
	return false
}

// Allowed is the role matrix: whether a role may take an action at all
// (unit-scoped actions are further limited to the principal's own unit).
func Allowed(a Action, r auth.Role) bool {
	const (
		co = auth.Coordinator
		bu = auth.Bureau
		cn = auth.County
		in = auth.Inspector
		cm = auth.Committee
		op = auth.Operator
		sy = auth.System
	)
	var who []auth.Role
	switch a {
	case ReadLedger, ReadPublished, ReadProofs:
		return true
	case ReadCatalog, ReadObligations:
		who = []auth.Role{co, bu, cn, in, cm, op}
	case ReadScorecard, ReadLineEvents:
		who = []auth.Role{in, cm, op}
	case ReadAudit:
		who = []auth.Role{bu, cn, in, op}
	case ReadEvents:
		who = []auth.Role{in, op}
	case SubscribeEvents, SubscribeSlips:
		who = []auth.Role{co, bu, cn, in}
	case ImportPlan, Assign, Withdraw, DecideExtension, RecordIndicator:
		who = []auth.Role{co, op}
	case Report, RequestExtension, Claim:
		who = []auth.Role{bu, cn}
	case Verify, Reject, RecordFinding:
		who = []auth.Role{in}
	case AdoptScheme, PublishScorecard:
		who = []auth.Role{cm, op}
	case RecordSlips:
		who = []auth.Role{sy, op}
	case ManageTokens, Simulate:
		who = []auth.Role{op}
	case UploadEvidence:
		who = []auth.Role{bu, cn, op}
	case SendBackWork:
		who = []auth.Role{co, bu, cn, in, op}
	case CommentOn:
		who = []auth.Role{co, bu, cn, in, cm, op}
	case SignOffParts:
		who = []auth.Role{bu, cn}
	case ReportRectification, FileAppeal:
		who = []auth.Role{bu, cn}
	case ReviewRectification:
		who = []auth.Role{in}
	case RuleAppeal:
		who = []auth.Role{cm, op}
	case ReadLedDuties, ReadEvidence, ReadAppeals:
		who = []auth.Role{co, bu, cn, in, cm, op}
	case ChangePlan, IssueBulletin:
		who = []auth.Role{co, op}
	case ReadBulletins:
		who = []auth.Role{co, bu, cn, in, cm, op}
	case ManageAccounts:
		who = []auth.Role{co, op}
	case ReadUnitView:
		who = []auth.Role{co, bu, cn, in, cm, op}
	}
	return slices.Contains(who, r)
}

// Authorize checks that the principal may take the action. A simulated
// principal may act only on a simulated ledger; that is checked where the
// ledger's mode is known (Service.authorize).
func Authorize(p auth.Principal, a Action) error {
	if Allowed(a, p.Role) {
		return nil
	}
	if !p.Authenticated() {
		return fail(msg.AuthRequired, msg.Args{"Action": a, "ActionZH": actionZH(a)})
	}
	return fail(msg.AuthRoleForbidden, msg.Args{"Role": p.Role, "RoleZH": roleZH(p.Role), "Action": a, "ActionZH": actionZH(a)})
}

// OwnUnit checks a unit-scoped action's unit: a bureau or county principal
// acts only for its own unit, and an empty unit means its own. Other roles
// get unit back unchanged.
func OwnUnit(p auth.Principal, a Action, unit domain.UnitID) (domain.UnitID, error) {
	if !p.Role.UnitBound() || !UnitScoped(a) {
		return unit, nil
	}
	if unit == "" || unit == p.Unit {
		return p.Unit, nil
	}
	return "", fail(msg.AuthOtherUnit, msg.Args{"Role": p.Role, "RoleZH": roleZH(p.Role), "Unit": p.Unit, "Other": unit})
}

// acting is the ActingUnit of a unit's own commands: the domain checks that
// it holds the obligation.
func acting(p auth.Principal) domain.UnitID {
	if p.Role.UnitBound() {
		return p.Unit
	}
	return ""
}

func roleZH(r auth.Role) string {
	switch r {
	case auth.Coordinator:
		return "督查督办办公室"
	case auth.Bureau:
		return "市直部门"
	case auth.County:
		return "旗县区政府"
	case auth.Inspector:
		return "督查人员"
	case auth.Committee:
		return "考核委员会"
	case auth.Operator:
		return "本机操作员"
	case auth.System:
		return "系统"
	}
	return "公众"
}

func actionZH(a Action) string {
	switch a {
	case ReadLedger:
		return "查看账本状态"
	case ReadPublished:
		return "查看已公布的考核结果"
	case ReadProofs:
		return "查看检查点和默克尔证明"
	case ReadCatalog:
		return "查看方案、任务和单位"
	case ReadObligations:
		return "查看任务责任"
	case ReadScorecard:
		return "计算考核得分"
	case ReadLineEvents:
		return "查看得分明细背后的事件"
	case ReadAudit:
		return "查看审计记录"
	case ReadEvents:
		return "查看全部事件日志"
	case SubscribeEvents:
		return "订阅新事件"
	case SubscribeSlips:
		return "订阅逾期提醒"
	case ImportPlan:
		return "导入方案"
	case Assign:
		return "分配责任"
	case Withdraw:
		return "撤销责任"
	case DecideExtension:
		return "审批延期申请"
	case RecordIndicator:
		return "录入空气质量指标"
	case Report:
		return "报送进展"
	case RequestExtension:
		return "申请延期"
	case Claim:
		return "申报完成"
	case Verify:
		return "核验完成情况"
	case Reject:
		return "驳回完成申报"
	case RecordFinding:
		return "记录督查发现的问题"
	case AdoptScheme:
		return "采用考核方案"
	case PublishScorecard:
		return "公布考核结果"
	case RecordSlips:
		return "记录逾期和催办"
	case ManageTokens:
		return "创建和查看令牌"
	case Simulate:
		return "生成模拟数据"
	case UploadEvidence:
		return "上传佐证材料"
	case ReadEvidence:
		return "下载佐证材料"
	case SendBackWork:
		return "退回报告或完成申报"
	case CommentOn:
		return "对任务责任发表意见"
	case SignOffParts:
		return "签收配合单位的工作"
	case ReadLedDuties:
		return "查看所牵头任务的各单位责任"
	case ReportRectification:
		return "报送整改情况"
	case ReviewRectification:
		return "核验、退回或调整整改"
	case FileAppeal:
		return "提出申诉"
	case RuleAppeal:
		return "裁决申诉"
	case ReadAppeals:
		return "查看整改和申诉"
	case ChangePlan:
		return "调整方案（时限、责任转交和单位变更）"
	case IssueBulletin:
		return "印发通报"
	case ReadBulletins:
		return "查看已印发的通报"
	case ManageAccounts:
		return "管理个人账号"
	case ReadUnitView:
		return "查看单位视图和暂定得分"
	}
	return string(a)
}

// authorize checks that the principal may take the action on this ledger.
func (s *Service) authorize(ctx context.Context, p auth.Principal, a Action) error {
	if err := Authorize(p, a); err != nil {
		return err
	}
	return s.checkSimulation(ctx, p)
}

// OwnStream checks a unit-scoped read of one stream: a bureau or county
// principal reads and follows only its own unit's streams.
func OwnStream(p auth.Principal, a Action, stream string) error {
	if !p.Role.UnitBound() || !UnitScoped(a) {
		return nil
	}
	if ref, err := domain.ParseStream(stream); err == nil && ref.Unit == p.Unit {
		return nil
	}
	return fail(msg.AuthOwnUnitStreams, msg.Args{"Role": p.Role, "RoleZH": roleZH(p.Role), "Unit": p.Unit, "Action": a, "ActionZH": actionZH(a)})
}

// WholeTask checks a read of a whole task's records, every unit's: a
// bureau or county principal may read only its own unit's.
func WholeTask(p auth.Principal, a Action) error {
	if !p.Role.UnitBound() || !UnitScoped(a) {
		return nil
	}
	return fail(msg.AuthOwnUnitNotTask, msg.Args{"Role": p.Role, "RoleZH": roleZH(p.Role), "Action": a, "ActionZH": actionZH(a)})
}

// UnitRef resolves a unit a unit-scoped read names and applies OwnUnit. A
// name that resolves to no unit is, for a bureau or county principal, not
// its own unit (FORBIDDEN, so it learns nothing of other units), and for
// others NOT_FOUND.
func UnitRef(p auth.Principal, a Action, ref string, resolve func(string) (domain.UnitID, error)) (domain.UnitID, error) {
	var unit domain.UnitID
	if ref != "" {
		u, err := resolve(ref)
		switch {
		case err == nil:
			unit = u
		case errors.Is(err, domain.ErrNotFound) && p.Role.UnitBound() && UnitScoped(a):
			return "", fail(msg.AuthOwnUnitOnly, msg.Args{"Role": p.Role, "RoleZH": roleZH(p.Role), "Unit": p.Unit})
		default:
			return "", err
		}
	}
	return OwnUnit(p, a, unit)
}

// admit authorizes a recording use case and scopes its idempotency key to
// the principal: the common first step of every command a caller keys.
func (s *Service) admit(ctx context.Context, p auth.Principal, a Action, key string) (string, error) {
	if err := s.authorize(ctx, p, a); err != nil {
		return "", err
	}
	return scopedKey(p, key)
}
