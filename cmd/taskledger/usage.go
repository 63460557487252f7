package main

import (
	"errors"
	"strings"

	"taskledger/internal/msg"
)

// usageNotice is a usage error worded from the catalogue: printed like
// any other notice (Chinese first, the class and the code), it exits 2.
func usageNotice(key msg.Key, args msg.Args) *notice {
	return &notice{key: key, args: args, usage: true}
}

// flagNotice words an error of the flag parser (pflag's English) under
// the catalogue code of its kind, keeping the parser's text as Detail.
func flagNotice(err error) *notice {
	detail := err.Error()
	key := msg.CLIFlagInvalid
	switch {
	case strings.HasPrefix(detail, "unknown flag"), strings.HasPrefix(detail, "unknown shorthand flag"):
		key = msg.CLIUnknownFlag
	case strings.HasPrefix(detail, "invalid argument"):
		key = msg.CLIFlagValue
	case strings.HasPrefix(detail, "flag needs an argument"):
		key = msg.CLIFlagNeedsValue
	}
	return &notice{key: key, args: msg.Args{"Detail": detail}, err: err, usage: true, quiet: true}
}

// asUsageNotice gives a usage error that carries no catalogue code of its
// own the general one (cli.usage), its text kept as Detail; other errors
// are returned as they are.
func asUsageNotice(err error) error {
	var n *notice
	var re *refusalError
	if !errors.Is(err, errUsage) || errors.As(err, &n) || errors.As(err, &re) {
		return err
	}
	detail := strings.TrimPrefix(err.Error(), errUsage.Error()+": ")
	return &notice{key: msg.CLIUsage, args: msg.Args{"Detail": detail}, err: err, usage: true, quiet: true}
}
