/* SPDX-License-Identifier: MIT */
/* Calendar fields of an NT system time (100 ns units since 1601-01-01 UTC)
 * and back, and the host time zone's local time. */
#include <wdm.h>

#include <time.h>

#define TICKS_PER_SECOND 10000000LL
#define TICKS_PER_DAY    (86400LL * TICKS_PER_SECOND)
#define DAYS_1601_TO_1970 134774LL

/* Days from 1970-01-01 of a proleptic Gregorian date, and back, counted in
 * 400-year eras of 146,097 days with March as the first month (so the leap
 * day ends a year): exact for every year an NT time reaches. */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

static void civil_from_days(long long z, long long *y, unsigned *m, unsigned *d)
{
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (long long)yoe + era * 400 + (*m <= 2);
}

VOID RtlTimeToTimeFields(PLARGE_INTEGER Time, PTIME_FIELDS TimeFields)
{
    long long t = Time->QuadPart < 0 ? 0 : Time->QuadPart;
    long long days = t / TICKS_PER_DAY, rest = t % TICKS_PER_DAY;
    long long y;
    unsigned m, d;
    civil_from_days(days - DAYS_1601_TO_1970, &y, &m, &d);
    TimeFields->Year = (CSHORT)y;
    TimeFields->Month = (CSHORT)m;
    TimeFields->Day = (CSHORT)d;
    TimeFields->Hour = (CSHORT)(rest / (3600 * TICKS_PER_SECOND));
    TimeFields->Minute = (CSHORT)(rest / (60 * TICKS_PER_SECOND) % 60);
    TimeFields->Second = (CSHORT)(rest / TICKS_PER_SECOND % 60);
    TimeFields->Milliseconds = (CSHORT)(rest / 10000 % 1000);
    TimeFields->Weekday = (CSHORT)((days + 1) % 7);   /* 1601-01-01 was a Monday */
}

BOOLEAN RtlTimeFieldsToTime(PTIME_FIELDS TimeFields, PLARGE_INTEGER Time)
{
    const TIME_FIELDS *f = TimeFields;
    static const unsigned char mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (f->Year < 1601 || f->Month < 1 || f->Month > 12 || f->Day < 1 || f->Day > mdays[f->Month - 1] ||
        f->Hour < 0 || f->Hour > 23 || f->Minute < 0 || f->Minute > 59 || f->Second < 0 || f->Second > 59 ||
        f->Milliseconds < 0 || f->Milliseconds > 999)
        return FALSE;
    long long y;
    unsigned m, d;
    long long days = days_from_civil(f->Year, (unsigned)f->Month, (unsigned)f->Day);
    civil_from_days(days, &y, &m, &d);
    if (m != (unsigned)f->Month)
        return FALSE;                   /* February 29 of a common year */
    Time->QuadPart = (days + DAYS_1601_TO_1970) * TICKS_PER_DAY +
                     ((f->Hour * 60LL + f->Minute) * 60 + f->Second) * TICKS_PER_SECOND + f->Milliseconds * 10000LL;
    return TRUE;
}

/* The host zone's offset from UTC at `t` (NT time), in 100 ns units. */
static long long zone_offset(long long t)
{
    time_t s = (time_t)(t / TICKS_PER_SECOND - DAYS_1601_TO_1970 * 86400);
    struct tm tm;
    if (localtime_r(&s, &tm) == NULL)
        return 0;
    return (long long)tm.tm_gmtoff * TICKS_PER_SECOND;
}

VOID ExSystemTimeToLocalTime(PLARGE_INTEGER SystemTime, PLARGE_INTEGER LocalTime)
{
    LocalTime->QuadPart = SystemTime->QuadPart + zone_offset(SystemTime->QuadPart);
}

VOID ExLocalTimeToSystemTime(PLARGE_INTEGER LocalTime, PLARGE_INTEGER SystemTime)
{
    SystemTime->QuadPart = LocalTime->QuadPart - zone_offset(LocalTime->QuadPart);
}
