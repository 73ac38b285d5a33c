# Every ioctl bad-input case: errno and no state change (am_abi_test).
. ./lib.sh
am_abi_test || fail "am_abi_test"
