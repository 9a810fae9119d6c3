package demo

import (
	"fmt"
	"math/rand/v2"
)

// city is one of Henan's 18 prefecture-level League committees: its
// administrative code (the counties' ParentCode), its name and a short
// latin name for usernames.
type city struct {
	code, name, latin string
}

// cities are the province's prefecture-level cities (济源 is a
// province-administered city with one county-level unit).
var cities = []city{
	{"410100", "郑州市", "zhengzhou"}, {"410200", "开封市", "kaifeng"}, {"410300", "洛阳市", "luoyang"},
	{"410400", "平顶山市", "pingdingshan"}, {"410500", "安阳市", "anyang"}, {"410600", "鹤壁市", "hebi"},
	{"410700", "新乡市", "xinxiang"}, {"410800", "焦作市", "jiaozuo"}, {"410900", "濮阳市", "puyang"},
	{"411000", "许昌市", "xuchang"}, {"411100", "漯河市", "luohe"}, {"411200", "三门峡市", "sanmenxia"},
	{"411300", "南阳市", "nanyang"}, {"411400", "商丘市", "shangqiu"}, {"411500", "信阳市", "xinyang"},
	{"411600", "周口市", "zhoukou"}, {"411700", "驻马店市", "zhumadian"}, {"419001", "济源市", "jiyuan"},
}

// departments are the provincial committee's organ departments whose
// cadres are dispatched; grassroots is the 基层组织建设部 (R3: 60 days).
var departments = []struct {
	code, name, latin string
	grassroots        bool
}{
	{"dept-office", "团省委办公室", "office", false},
	{"dept-org", "团省委组织部", "org", false},
	{"dept-publicity", "团省委宣传部", "publicity", false},
	{"dept-grassroots", "团省委基层组织建设部", "grassroots", true},
	{"dept-youth", "团省委青年发展部", "youth", false},
	{"dept-school", "团省委学校部", "school", false},
	{"dept-young-pioneers", "团省委少年部", "pioneers", false},
}

var (
	surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
	given    = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞鑫宇浩然晨阳雪梅婷琳丹宁欣悦佳怡俊峰志刚建国晓东海燕文博子涵雨轩思远嘉怡梓萱")
)

// name returns a plausible Chinese full name.
func name(rng *rand.Rand) string {
	n := string(surnames[rng.IntN(len(surnames))]) + string(given[rng.IntN(len(given))])
	if rng.IntN(3) > 0 {
		n += string(given[rng.IntN(len(given))])
	}
	return n
}

// phone returns a plausible mobile number (138–159 prefixes, 11 digits).
func phone(rng *rand.Rand) string {
	prefixes := []string{"138", "139", "150", "151", "152", "158", "159", "137", "136", "135"}
	return fmt.Sprintf("%s%08d", prefixes[rng.IntN(len(prefixes))], rng.IntN(100_000_000))
}

var (
	occupations = []string{"返乡创业青年", "乡村教师", "村医", "快递员", "外卖骑手", "电商主播", "种植大户", "大学生村官", "个体户", "工厂技工", "在校大学生"}
	places      = []string{"城关镇", "东坝头镇", "谷营镇", "红庙镇", "南彰镇", "张君墓镇", "考城镇", "三义寨乡", "葡萄架乡", "仪封乡"}
	needTexts   = map[string][]string{
		"EMPLOYMENT":       {"想学电商直播带货", "希望县里多办招聘会", "找不到对口的工作"},
		"EDUCATION":        {"希望有职业技能培训", "孩子上学路远"},
		"ENTREPRENEURSHIP": {"创业贷款申请难", "想要创业场地"},
		"HEALTH":           {"村卫生室缺药", "心理咨询资源少"},
		"CULTURE_SPORTS":   {"村里缺少运动场地", "希望多办青年文化活动"},
		"DIGITAL_SKILLS":   {"老人不会用智能手机，希望青年志愿者帮忙"},
	}
	topics = []string{"青年就业意向", "乡村振兴青年参与", "返乡创业情况", "青年婚恋交友", "团组织建设", "青年志愿服务", "网络素养", "技能培训需求"}
)
