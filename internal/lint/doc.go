// Package lint holds house-rule tests that read winnow's own source tree:
// no os.Exit outside cmd/, and no go statement outside the executor
// (internal/run) and cmd/, so that stages stay synchronous. A go statement
// that is unavoidable elsewhere is allowed when the line above it carries
// a "//winnow:goroutine <reason>" comment.
package lint
