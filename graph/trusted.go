package graph

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"slices"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/henan-youth/onsite/models"
)

// The codes of a refused document, as Apollo's clients know them: an id
// the server does not hold, and a document the caller may not send.
const (
	codeNotFound  = "PERSISTED_QUERY_NOT_FOUND"
	codeNotInList = "PERSISTED_QUERY_NOT_IN_LIST"
)

// TrustedDocuments are the registered operations — the documents an app
// build ships, by the hex SHA-256 of their text — and who may send
// others. The zero value registers nothing and restricts nobody.
type TrustedDocuments struct {
	ByHash map[string]string
	// Restricted refuses documents not in ByHash, except from the roles
	// in Open; a caller without a valid token has no role.
	Restricted bool
	Open       []models.Role
}

// LoadTrustedDocuments reads a manifest: a JSON object from hash to
// document (graphql-codegen's persisted documents), or Apollo's persisted
// query manifest ({"format": "apollo-persisted-query-manifest",
// "operations": [{"id", "body"}]}). It fails on a file that does not read
// or parse, and on a hash that is not the SHA-256 of its document.
func LoadTrustedDocuments(path string) (map[string]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var apollo struct {
		Format     string `json:"format"`
		Operations []struct {
			ID   string `json:"id"`
			Body string `json:"body"`
		} `json:"operations"`
	}
	docs := map[string]string{}
	if json.Unmarshal(raw, &apollo) == nil && apollo.Format == "apollo-persisted-query-manifest" {
		for _, op := range apollo.Operations {
			docs[op.ID] = op.Body
		}
	} else if err := json.Unmarshal(raw, &docs); err != nil {
		return nil, fmt.Errorf("%s: neither a JSON object from SHA-256 to document nor an Apollo persisted query manifest: %v", path, err)
	}
	for id, doc := range docs {
		if sha256Hex(doc) != id {
			return nil, fmt.Errorf("%s: %.16s… is not the SHA-256 of its document", path, id)
		}
	}
	return docs, nil
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// trustedDocuments resolves a registered document's id to its text and,
// when restricted, refuses other documents from callers whose role may not
// send them. It runs before any parsing, so a refused document costs a
// hash. A request names a document by extensions.persistedQuery.sha256Hash
// (Apollo's form), with or without its text.
type trustedDocuments struct{ TrustedDocuments }

var (
	_ graphql.HandlerExtension          = trustedDocuments{}
	_ graphql.OperationParameterMutator = trustedDocuments{}
)

func (trustedDocuments) ExtensionName() string                   { return "TrustedDocuments" }
func (trustedDocuments) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters fills in the text of a document named by its
// hash (PERSISTED_QUERY_NOT_FOUND for one the server does not hold),
// refuses a text that does not match its hash (INVALID), and under a
// restriction refuses an unregistered document from a caller whose role
// is not open (PERSISTED_QUERY_NOT_IN_LIST).
func (t trustedDocuments) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	hash, named := persistedHash(p.Extensions)
	switch {
	case named && p.Query == "":
		doc, ok := t.ByHash[hash]
		if !ok {
			return refusedDocument(codeNotFound, "no registered document has this sha256Hash: send the document's text, or update the app")
		}
		p.Query = doc
		return nil
	case named && sha256Hex(p.Query) != hash:
		return refusedDocument(string(models.CodeInvalid), "the query does not match its sha256Hash")
	}
	if !t.Restricted {
		return nil
	}
	if _, ok := t.ByHash[sha256Hex(p.Query)]; ok {
		return nil
	}
	if caller, err := principal(ctx); err == nil && slices.Contains(t.Open, caller.Role) {
		return nil
	}
	return refusedDocument(codeNotInList, "this server runs only the registered documents of the app for this caller; send a registered document's sha256Hash")
}

// persistedHash reads extensions.persistedQuery.sha256Hash.
func persistedHash(ext map[string]any) (string, bool) {
	pq, _ := ext["persistedQuery"].(map[string]any)
	hash, ok := pq["sha256Hash"].(string)
	return hash, ok && hash != ""
}

func refusedDocument(code, msg string) *gqlerror.Error {
	return &gqlerror.Error{Message: msg, Extensions: map[string]any{"code": code}}
}
