/* SPDX-License-Identifier: MIT */
/* Calendar fields of NT times (src/kernel/rtl_time.c), against fixed dates
 * (RtlTimeToTimeFields / RtlTimeFieldsToTime pages: 100 ns units since
 * 1601-01-01, Weekday 0 = Sunday; an impossible date is refused), and the
 * local-time conversions' round trip. */
#include "ktest.h"

static void fields_of(LONGLONG t, int y, int mo, int d, int h, int mi, int s, int ms, int wd)
{
    LARGE_INTEGER li = { .QuadPart = t };
    TIME_FIELDS f;
    RtlTimeToTimeFields(&li, &f);
    CHECK(f.Year == y && f.Month == mo && f.Day == d && f.Hour == h && f.Minute == mi && f.Second == s &&
              f.Milliseconds == ms && f.Weekday == wd,
          "%lld: %d-%d-%d %d:%d:%d.%d weekday %d", (long long)t, f.Year, f.Month, f.Day, f.Hour, f.Minute,
          f.Second, f.Milliseconds, f.Weekday);
    LARGE_INTEGER back;
    CHECK(RtlTimeFieldsToTime(&f, &back), "fields of %lld refused", (long long)t);
    CHECK(back.QuadPart == t - t % 10000, "%lld came back as %lld", (long long)t, (long long)back.QuadPart);
}

int main(void)
{
    fields_of(0, 1601, 1, 1, 0, 0, 0, 0, 1);                                  /* a Monday */
    fields_of(116444736000000000LL, 1970, 1, 1, 0, 0, 0, 0, 4);               /* the Unix epoch, Thursday */
    fields_of(116444736000000000LL + 951782400LL * 10000000 + 12345678, 2000, 2, 29, 0, 0, 1, 234, 2);
    fields_of(116444736000000000LL + 1798761599LL * 10000000 + 9990000, 2026, 12, 31, 23, 59, 59, 999, 4);

    TIME_FIELDS f = { 2001, 2, 29, 0, 0, 0, 0, 0 };
    LARGE_INTEGER t;
    CHECK(!RtlTimeFieldsToTime(&f, &t), "2001-02-29 accepted");
    f.Year = 1600;
    f.Month = 1;
    CHECK(!RtlTimeFieldsToTime(&f, &t), "1600 accepted");

    LARGE_INTEGER now, local, again;
    KeQuerySystemTime(&now);
    RtlTimeToTimeFields(&now, &f);
    CHECK(f.Year >= 2024 && f.Year < 2200, "this year is %d", f.Year);
    ExSystemTimeToLocalTime(&now, &local);
    ExLocalTimeToSystemTime(&local, &again);
    CHECK(again.QuadPart == now.QuadPart, "local round trip moved by %lld", (long long)(again.QuadPart - now.QuadPart));
    CHECK(local.QuadPart - now.QuadPart > -15LL * 3600 * 10000000 && local.QuadPart - now.QuadPart < 15LL * 3600 * 10000000,
          "a zone offset beyond 15 hours");
    return ow_test_result("test_rtl_time");
}
