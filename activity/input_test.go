package activity

import (
	"strings"
	"testing"
	"time"

	"github.com/henan-youth/onsite/geofence"
	"github.com/henan-youth/onsite/models"
)

func validInput(kind models.ActivityKind) Input {
	in := Input{ClientID: "a-1", Kind: kind, Lat: 34.83, Lon: 114.82, AccuracyM: 15, CoordSystem: geofence.GCJ02,
		DeviceTime: time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC), Topic: "就业"}
	switch {
	case kind.Interview():
		in.Interviewee = &IntervieweeInput{Name: "王小明"}
	case kind.Gathering():
		in.Participants, in.HostOrg = 20, "共青团兰考县委"
		in.Photos = []Photo{{Filename: "a.jpg"}}
	}
	return in
}

func TestValidate(t *testing.T) {
	for _, c := range []struct {
		name  string
		edit  func(*Input)
		kind  models.ActivityKind
		error string // "" when valid
	}{
		{"an interview", func(*Input) {}, models.KindInterviewYouth, ""},
		{"a forum", func(*Input) {}, models.KindForumCadre, ""},
		{"a lecture", func(*Input) {}, models.KindLecture, ""},
		{"other", func(*Input) {}, models.KindOther, ""},
		{"unknown kind", func(in *Input) { in.Kind = "PARTY" }, models.KindOther, "unknown activity kind"},
		{"client id with a newline", func(in *Input) { in.ClientID = "a\n1" }, models.KindOther, "clientId"},
		{"client id with a bidi override", func(in *Input) { in.ClientID = "a\u202e1" }, models.KindOther, "clientId"},
		{"no topic", func(in *Input) { in.Topic = " " }, models.KindOther, "topic is required"},
		{"interview without interviewee", func(in *Input) { in.Interviewee = nil }, models.KindInterviewCadre, "needs its interviewee"},
		{"forum with an interviewee", func(in *Input) { in.Interviewee = &IntervieweeInput{Name: "x"} }, models.KindForumYouth, "only an interview"},
		{"forum without photos", func(in *Input) { in.Photos = nil }, models.KindForumYouth, "1–9 photos"},
		{"ten photos", func(in *Input) { in.Photos = make([]Photo, 10) }, models.KindOther, "at most 9 photos"},
		{"forum without participants", func(in *Input) { in.Participants = 0 }, models.KindLecture, "number of participants"},
		{"forum without host", func(in *Input) { in.HostOrg = "" }, models.KindForumYouth, "host organisation"},
		{"participants on an interview", func(in *Input) { in.Participants = 3 }, models.KindInterviewYouth, "only a forum or lecture"},
		{"number without consent", func(in *Input) { in.Interviewee.Phone = "13812345678" }, models.KindInterviewYouth, "consent"},
		{"bad age band", func(in *Input) { in.Interviewee.AgeBand = "old" }, models.KindInterviewYouth, "ageBand"},
		{"unknown need", func(in *Input) { in.Needs = []NeedInput{{Category: "MONEY", Text: "x"}} }, models.KindOther, "need category"},
		{"latitude out of range", func(in *Input) { in.Lat = 91 }, models.KindOther, "lat"},
	} {
		in := validInput(c.kind)
		c.edit(&in)
		err := in.Validate()
		if c.error == "" {
			if err != nil {
				t.Errorf("%s: %v, want valid", c.name, err)
			}
			continue
		}
		if models.CodeOf(err) != models.CodeInvalid || !strings.Contains(err.Error(), c.error) {
			t.Errorf("%s: %v, want INVALID mentioning %q", c.name, err, c.error)
		}
		if err != nil && strings.Contains(err.Error(), "13812345678") {
			t.Errorf("%s: the error repeats the number", c.name)
		}
	}
}

func TestPayloadHash(t *testing.T) {
	base := validInput(models.KindInterviewYouth)
	same := validInput(models.KindInterviewYouth)
	if base.payloadHash([]string{"p"}) != same.payloadHash([]string{"p"}) {
		t.Fatal("the same input hashes differently")
	}
	for name, edit := range map[string]func(*Input){
		"topic":       func(in *Input) { in.Topic = "别的" },
		"interviewee": func(in *Input) { in.Interviewee.Name = "李四" },
		"needs":       func(in *Input) { in.Needs = []NeedInput{{Category: "HEALTH", Text: "x"}} },
		"time":        func(in *Input) { in.DeviceTime = in.DeviceTime.Add(time.Second) },
	} {
		other := validInput(models.KindInterviewYouth)
		edit(&other)
		if other.payloadHash([]string{"p"}) == base.payloadHash([]string{"p"}) {
			t.Errorf("a changed %s hashes the same", name)
		}
	}
	if base.payloadHash([]string{"p"}) == base.payloadHash([]string{"q"}) {
		t.Error("other photos hash the same")
	}
	withPhone := validInput(models.KindInterviewYouth)
	withPhone.Interviewee.Phone = "13812345678"
	if withPhone.payloadHash(nil) != base.payloadHash(nil) {
		t.Error("the phone number is part of the hash (it could be searched for)")
	}
}
