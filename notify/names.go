package notify

import (
	"taskledger/domain"
	"taskledger/projections"
)

// CatalogNames names units, plans and tasks from the catalog read model,
// and milestones from the obligations read model, as they stand when a
// message is built; what they do not know yet comes back as its id.
type CatalogNames struct {
	// Catalog returns the current catalog.
	Catalog func() *projections.Catalog
	// Obligations returns the current obligations; nil names milestones
	// by their ids.
	Obligations func() *projections.Obligations
}

// UnitName implements Names.
func (c CatalogNames) UnitName(id domain.UnitID) string {
	if u, ok := c.Catalog().Unit(id); ok && u.Name != "" {
		return u.Name
	}
	return string(id)
}

// PlanTitle implements Names.
func (c CatalogNames) PlanTitle(id domain.PlanID) string {
	if p, ok := c.Catalog().Plan(id); ok && p.Title != "" {
		return p.Title
	}
	return string(id)
}

// TaskTitle implements Names.
func (c CatalogNames) TaskTitle(plan domain.PlanID, no domain.TaskNo) (string, string) {
	if t, ok := c.Catalog().Task(plan, no); ok {
		return t.Title, t.Label
	}
	return "", ""
}

// MilestoneWords implements Names.
func (c CatalogNames) MilestoneWords(k domain.ObligationKey, m domain.MilestoneID) string {
	if c.Obligations == nil {
		return ""
	}
	return c.Obligations().MilestoneWords(k, m)
}
