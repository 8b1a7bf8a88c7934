# SPDX-License-Identifier: GPL-2.0
# Level-2 part of "make test": one level-2 boot runs every check below; the
# host side (tools/testing/otest.c) grades each section separately.
#   @@SEC <name>  starts a section, @@RC <n> ends it with a status.
g="testbed guest --retries ${OTB_RETRIES:-2}"
l3cpu=${OTB_L3_CPU:-kvm64,-vme,+kvm-pv-unhalt,+kvm-steal-time}
l3cpu_tas=${OTB_L3_CPU_TAS:-kvm64,-vme,-kvm-pv-unhalt,+kvm-steal-time}

echo "@@SEC l2-host"
lsmod | grep -E '^kvm'
ls -l /dev/kvm
testbed kvm-check
echo "@@RC $?"

echo "@@SEC kvm_pv_test"
/usr/bin/kvm_pv_test
echo "@@RC $?"

echo "@@SEC smoke-pvqspinlock"
$g --vm smoke-pv --vcpus 2 --cpu "$l3cpu" --script "$OTB_LIB"/l3-smoke.sh
echo "@@RC $?"

echo "@@SEC smoke-qspinlock"
$g --vm smoke-native --vcpus 2 --cpu "$l3cpu" --append nopvspin --script "$OTB_LIB"/l3-smoke.sh
echo "@@RC $?"

echo "@@SEC smoke-tas"
$g --vm smoke-tas --vcpus 2 --cpu "$l3cpu_tas" --script "$OTB_LIB"/l3-smoke.sh
echo "@@RC $?"

echo "@@SEC locktorture"
$g --vm lt4 --vcpus 4 --cpu "$l3cpu" --env LT_SECS="${OTB_LT_SECS:-15}" \
	--script "$OTB_LIB"/l3-locktorture.sh
echo "@@RC $?"
