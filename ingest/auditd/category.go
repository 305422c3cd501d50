package auditd

import (
	"strings"

	"github.com/breachline/breachline/normalize"
)

// typeCategory is the category of an event whose headline record has this type. Types not listed
// are "other"; SYSCALL, EXECVE and USER_CMD are processes (see event.go), and a syscall that opens
// a secret file is a secret read or write whatever else the event holds.
var typeCategory = map[string]normalize.Category{
	// PAM's stages of a login or of sudo/su, and the kernel's login record: who authenticated,
	// acquired credentials, opened or closed a session.
	"USER_AUTH": normalize.Auth, "USER_ACCT": normalize.Auth, "USER_LOGIN": normalize.Auth,
	"USER_LOGOUT": normalize.Auth, "USER_START": normalize.Auth, "USER_END": normalize.Auth,
	"USER_ERR": normalize.Auth, "CRED_ACQ": normalize.Auth, "CRED_DISP": normalize.Auth,
	"CRED_REFR": normalize.Auth, "LOGIN": normalize.Auth, "GRP_AUTH": normalize.Auth,
	"ANOM_LOGIN_FAILURES": normalize.Auth, "ANOM_LOGIN_TIME": normalize.Auth,
	"ANOM_LOGIN_SESSIONS": normalize.Auth, "ANOM_LOGIN_ACCT": normalize.Auth,
	"ANOM_LOGIN_LOCATION": normalize.Auth, "ANOM_LOGIN_SERVICE": normalize.Auth,
	"USER_LOGIN_FAILURES": normalize.Auth,

	// Changes to accounts, groups, roles, passwords, and to the audit, MAC and firewall
	// configuration.
	"ADD_USER": normalize.Admin, "DEL_USER": normalize.Admin, "ADD_GROUP": normalize.Admin,
	"DEL_GROUP": normalize.Admin, "USER_MGMT": normalize.Admin, "GRP_MGMT": normalize.Admin,
	"USER_CHAUTHTOK": normalize.Admin, "GRP_CHAUTHTOK": normalize.Admin,
	"CHUSER_ID": normalize.Admin, "CHGRP_ID": normalize.Admin, "ROLE_ASSIGN": normalize.Admin,
	"ROLE_REMOVE": normalize.Admin, "ROLE_MODIFY": normalize.Admin,
	"USER_ROLE_CHANGE": normalize.Admin, "ACCT_LOCK": normalize.Admin,
	"ACCT_UNLOCK": normalize.Admin, "CONFIG_CHANGE": normalize.Admin,
	"DAEMON_CONFIG": normalize.Admin, "USYS_CONFIG": normalize.Admin,
	"MAC_POLICY_LOAD": normalize.Admin, "MAC_STATUS": normalize.Admin,
	"MAC_CONFIG_CHANGE": normalize.Admin, "USER_MAC_POLICY_LOAD": normalize.Admin,
	"USER_MAC_CONFIG_CHANGE": normalize.Admin, "NETFILTER_CFG": normalize.Admin,
	"SOFTWARE_UPDATE": normalize.Admin, "KERN_MODULE": normalize.Admin,
	"FEATURE_CHANGE": normalize.Admin, "LABEL_LEVEL_CHANGE": normalize.Admin,
	"LABEL_OVERRIDE": normalize.Admin,

	// Commands run through sudo.
	"USER_CMD": normalize.Process,
}

// auxiliary reports whether records of type t only describe the syscall of their event (its
// arguments, files, sockets, process title) rather than say what happened: an event's headline
// is its first record that is not auxiliary, or its SYSCALL.
func auxiliary(t string) bool {
	switch t {
	case "SYSCALL", "EXECVE", "CWD", "PATH", "PROCTITLE", "SOCKADDR", "EOE", "OPENAT2",
		"OBJ_PID", "BPRM_FCAPS", "CAPSET", "MMAP", "FD_PAIR", "IPC", "IPC_SET_PERM",
		"MQ_OPEN", "MQ_SENDRECV", "MQ_NOTIFY", "MQ_GETSETATTR", "SOCKETCALL", "URINGOP",
		"MAC_TASK_CONTEXTS", "MAC_OBJ_CONTEXTS":
		return true
	}
	return strings.HasPrefix(t, "UNKNOWN[")
}

// outcomeOf reads a res= value (success/failed, 1/0, yes/no), or "" when it says neither.
func outcomeOf(v string) normalize.Outcome {
	switch v {
	case "success", "1", "yes":
		return normalize.Success
	case "failed", "failure", "0", "no":
		return normalize.Failure
	}
	return ""
}
