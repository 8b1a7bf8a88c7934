# SPDX-License-Identifier: GPL-2.0
# Sourced by the level-2 suites (l2-tests.sh, l2-locksoak.sh).  A section
# is "@@SEC <name>" ... "@@RC <status>@@"; the closing "@@" tells a whole
# status line from one cut by a frozen level 2.  A level 2 that froze is
# booted again with OTB_DONE, the sections an earlier attempt ended
# (testbed.c l2_before_retry): sec() skips those, so each section must set
# up what it needs.

sec() {	# $1: section name; false if an earlier attempt ran it
	case " ${OTB_DONE:-} " in
	*" $1 "*) echo "otb: section $1: done in an earlier attempt"; return 1 ;;
	esac
	echo "@@SEC $1"
}

rc() {	# $1: the section's status
	echo "@@RC $1@@"
}
