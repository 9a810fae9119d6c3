package main

import (
	"fmt"

	"github.com/henan-youth/onsite/graph"
)

// loadDocuments reads the registered documents (ONSITE_TRUSTED_DOCUMENTS)
// with who may send others. It fails, naming the setting, on a manifest
// that does not load.
func loadDocuments(cfg config) (graph.TrustedDocuments, error) {
	d := graph.TrustedDocuments{Restricted: cfg.UnregisteredLimit, Open: cfg.UnregisteredOpen}
	if cfg.TrustedDocuments == "" {
		return d, nil
	}
	docs, err := graph.LoadTrustedDocuments(cfg.TrustedDocuments)
	if err != nil {
		return d, fmt.Errorf("ONSITE_TRUSTED_DOCUMENTS: %w", err)
	}
	d.ByHash = docs
	return d, nil
}
