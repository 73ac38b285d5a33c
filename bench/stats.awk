# SPDX-License-Identifier: GPL-2.0
# awk functions of the bench reports (bench/cost, bench/benefit), put in
# front of each report's own program.
# sortv A M: sort A[1..M] ascending (insertion sort: M is a few rounds).
function sortv(a, m,   i, j, x) {
	for (i = 2; i <= m; i++) {
		x = a[i]
		for (j = i - 1; j >= 1 && a[j] > x; j--)
			a[j + 1] = a[j]
		a[j + 1] = x
	}
}
# median A M: the median of A[1..M] (sorts A).
function median(a, m) {
	sortv(a, m)
	return a[int((m + 1) / 2)]
}
# spread A M FMT: "median [smallest–largest]" of A[1..M], each printed
# with FMT (sorts A).
function spread(a, m, fmt) {
	sortv(a, m)
	return sprintf(fmt " [" fmt "–" fmt "]", a[int((m + 1) / 2)], a[1], a[m])
}
