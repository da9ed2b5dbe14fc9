#!/usr/bin/env python3
"""Oracle for the agenda plugin's tests (AgendaPluginTests).

  agenda_oracle.py rrule IN OUT   IN: [{"rule", "start", "from", "to"}] (dates YYYY-MM-DD);
                                  OUT: [[dates]] - python-dateutil's rrule expansion of each rule
                                  from `start`, the dates between `from` and `to` inclusive.
  agenda_oracle.py ics IN OUT     IN: the text of a VCALENDAR; OUT: what icalendar parses of it:
                                  {"name", "events": [{"uid", "summary", "dtstart", "dtend",
                                  "rrule", "exdates", "recurrence_id", "description"}]}
"""
import json
import sys
from datetime import date, datetime


def rrule(cases):
    from dateutil.rrule import rrulestr
    out = []
    for case in cases:
        start = datetime.fromisoformat(case["start"])
        rule = rrulestr(case["rule"], dtstart=start)
        lo = datetime.fromisoformat(case["from"])
        hi = datetime.fromisoformat(case["to"])
        out.append([d.date().isoformat() for d in rule.between(lo, hi, inc=True)])
    return out


def text(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def ics(source):
    import icalendar
    cal = icalendar.Calendar.from_ical(source)
    events = []
    for component in cal.walk("VEVENT"):
        exdates = []
        ex = component.get("EXDATE")
        for item in (ex if isinstance(ex, list) else [ex] if ex is not None else []):
            exdates += [text(d.dt) for d in item.dts]
        rule = component.get("RRULE")
        events.append({
            "uid": str(component.get("UID")),
            "summary": str(component.get("SUMMARY")),
            "description": str(component.get("DESCRIPTION") or ""),
            "dtstart": text(component.decoded("DTSTART")),
            "dtend": text(component.decoded("DTEND")) if component.get("DTEND") is not None else "",
            "tzid": str(component["DTSTART"].params.get("TZID", "")),
            "rrule": rule.to_ical().decode() if rule is not None else "",
            "exdates": exdates,
            "recurrence_id": text(component.decoded("RECURRENCE-ID")) if component.get("RECURRENCE-ID") is not None else "",
        })
    # icalendar leaves an X- property's TEXT escaped; undo RFC 5545 section 3.3.11's escapes.
    name = str(cal.get("X-WR-CALNAME"))
    name = name.replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";").replace("\\\\", "\\")
    return {"name": name, "events": events}


def main():
    command, src, dst = sys.argv[1], sys.argv[2], sys.argv[3]
    with open(src, encoding="utf-8", newline="") as f:
        data = f.read()
    result = rrule(json.loads(data)) if command == "rrule" else ics(data)
    with open(dst, "w", encoding="utf-8") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
