package demo

// RegionSeed is one administrative division used by the demo dataset.
// Code is the 6-digit GB/T 2260 (民政部) administrative division code and
// Parent is the GB/T 2260 code of the enclosing division ("" for provinces).
type RegionSeed struct {
	Code          string // 6 digits, GB/T 2260
	Name          string // Chinese official name, e.g. "云南省", "怒江傈僳族自治州", "福贡县"
	Parent        string // parent GB/T 2260 code, "" for provinces
	Level         string // "PROVINCE", "CITY", "COUNTY"
	Side          string // "EAST", "CENTRAL", "WEST"
	Poverty832    bool   // was one of the 832 national poverty counties (counties only)
	KeyAssistance bool   // 国家乡村振兴重点帮扶县 (one of the 160), counties only; only set when confident
	ExitYear      int    // year the county exited poverty (摘帽), 0 if unknown / not applicable; only set when confident
}

// Regions lists real Chinese administrative divisions (GB/T 2260 codes) for
// the 东西部协作 / 定点帮扶 demo dataset. Parents are always listed before
// their children. For municipalities (e.g. 重庆市) counties hang directly
// under the province-level code.
var Regions = []RegionSeed{
	// ---------------- Eastern (helper) side ----------------
	{Code: "110000", Name: "北京市", Level: "PROVINCE", Side: "EAST"},
	{Code: "120000", Name: "天津市", Level: "PROVINCE", Side: "EAST"},
	{Code: "310000", Name: "上海市", Level: "PROVINCE", Side: "EAST"},
	{Code: "320000", Name: "江苏省", Level: "PROVINCE", Side: "EAST"},
	{Code: "320500", Name: "苏州市", Parent: "320000", Level: "CITY", Side: "EAST"},
	{Code: "330000", Name: "浙江省", Level: "PROVINCE", Side: "EAST"},
	{Code: "330100", Name: "杭州市", Parent: "330000", Level: "CITY", Side: "EAST"},
	{Code: "330200", Name: "宁波市", Parent: "330000", Level: "CITY", Side: "EAST"},
	{Code: "350000", Name: "福建省", Level: "PROVINCE", Side: "EAST"},
	{Code: "350100", Name: "福州市", Parent: "350000", Level: "CITY", Side: "EAST"},
	{Code: "350200", Name: "厦门市", Parent: "350000", Level: "CITY", Side: "EAST"},
	{Code: "370000", Name: "山东省", Level: "PROVINCE", Side: "EAST"},
	{Code: "440000", Name: "广东省", Level: "PROVINCE", Side: "EAST"},
	{Code: "210000", Name: "辽宁省", Level: "PROVINCE", Side: "EAST"},
	{Code: "210200", Name: "大连市", Parent: "210000", Level: "CITY", Side: "EAST"},

	// ---------------- 河北省 (helped by 北京/天津 in 2016-2020) ----------------
	{Code: "130000", Name: "河北省", Level: "PROVINCE", Side: "EAST"},
	{Code: "130600", Name: "保定市", Parent: "130000", Level: "CITY", Side: "EAST"},
	{Code: "130624", Name: "阜平县", Parent: "130600", Level: "COUNTY", Side: "EAST", Poverty832: true},
	{Code: "130627", Name: "唐县", Parent: "130600", Level: "COUNTY", Side: "EAST", Poverty832: true},
	{Code: "130630", Name: "涞源县", Parent: "130600", Level: "COUNTY", Side: "EAST", Poverty832: true},
	{Code: "130700", Name: "张家口市", Parent: "130000", Level: "CITY", Side: "EAST"},
	{Code: "130722", Name: "张北县", Parent: "130700", Level: "COUNTY", Side: "EAST", Poverty832: true},
	{Code: "130723", Name: "康保县", Parent: "130700", Level: "COUNTY", Side: "EAST", Poverty832: true},
	{Code: "130724", Name: "沽源县", Parent: "130700", Level: "COUNTY", Side: "EAST", Poverty832: true},
	{Code: "130725", Name: "尚义县", Parent: "130700", Level: "COUNTY", Side: "EAST", Poverty832: true},
	{Code: "130800", Name: "承德市", Parent: "130000", Level: "CITY", Side: "EAST"},
	{Code: "130825", Name: "隆化县", Parent: "130800", Level: "COUNTY", Side: "EAST", Poverty832: true},
	{Code: "130826", Name: "丰宁满族自治县", Parent: "130800", Level: "COUNTY", Side: "EAST", Poverty832: true},
	{Code: "130828", Name: "围场满族蒙古族自治县", Parent: "130800", Level: "COUNTY", Side: "EAST", Poverty832: true},

	// ---------------- 内蒙古自治区 ----------------
	{Code: "150000", Name: "内蒙古自治区", Level: "PROVINCE", Side: "WEST"},
	{Code: "152200", Name: "兴安盟", Parent: "150000", Level: "CITY", Side: "WEST"},
	{Code: "152221", Name: "科尔沁右翼前旗", Parent: "152200", Level: "COUNTY", Side: "WEST", Poverty832: true},
	{Code: "152222", Name: "科尔沁右翼中旗", Parent: "152200", Level: "COUNTY", Side: "WEST", Poverty832: true},
	{Code: "152223", Name: "扎赉特旗", Parent: "152200", Level: "COUNTY", Side: "WEST", Poverty832: true},
	{Code: "152224", Name: "突泉县", Parent: "152200", Level: "COUNTY", Side: "WEST", Poverty832: true},

	// ---------------- 吉林省 ----------------
	{Code: "220000", Name: "吉林省", Level: "PROVINCE", Side: "CENTRAL"},
	{Code: "222400", Name: "延边朝鲜族自治州", Parent: "220000", Level: "CITY", Side: "CENTRAL"},
	{Code: "222405", Name: "龙井市", Parent: "222400", Level: "COUNTY", Side: "CENTRAL", Poverty832: true},
	{Code: "222406", Name: "和龙市", Parent: "222400", Level: "COUNTY", Side: "CENTRAL", Poverty832: true},
	{Code: "222424", Name: "汪清县", Parent: "222400", Level: "COUNTY", Side: "CENTRAL", Poverty832: true},
	{Code: "222426", Name: "安图县", Parent: "222400", Level: "COUNTY", Side: "CENTRAL", Poverty832: true},

	// ---------------- 湖北省 ----------------
	{Code: "420000", Name: "湖北省", Level: "PROVINCE", Side: "CENTRAL"},
	{Code: "422800", Name: "恩施土家族苗族自治州", Parent: "420000", Level: "CITY", Side: "CENTRAL"},
	{Code: "422822", Name: "建始县", Parent: "422800", Level: "COUNTY", Side: "CENTRAL", Poverty832: true},
	{Code: "422823", Name: "巴东县", Parent: "422800", Level: "COUNTY", Side: "CENTRAL", Poverty832: true},
	{Code: "422826", Name: "咸丰县", Parent: "422800", Level: "COUNTY", Side: "CENTRAL", Poverty832: true},
	{Code: "422828", Name: "鹤峰县", Parent: "422800", Level: "COUNTY", Side: "CENTRAL", Poverty832: true},

	// ---------------- 广西壮族自治区 ----------------
	{Code: "450000", Name: "广西壮族自治区", Level: "PROVINCE", Side: "WEST"},
	{Code: "451000", Name: "百色市", Parent: "450000", Level: "CITY", Side: "WEST"},
	{Code: "451027", Name: "凌云县", Parent: "451000", Level: "COUNTY", Side: "WEST", Poverty832: true},
	{Code: "451028", Name: "乐业县", Parent: "451000", Level: "COUNTY", Side: "WEST", Poverty832: true},
	{Code: "451200", Name: "河池市", Parent: "450000", Level: "CITY", Side: "WEST"},
	{Code: "451228", Name: "都安瑶族自治县", Parent: "451200", Level: "COUNTY", Side: "WEST", Poverty832: true},
	{Code: "451229", Name: "大化瑶族自治县", Parent: "451200", Level: "COUNTY", Side: "WEST", Poverty832: true, KeyAssistance: true, ExitYear: 2020},

	// ---------------- 重庆市 (counties directly under the municipality) ----------------
	{Code: "500000", Name: "重庆市", Level: "PROVINCE", Side: "WEST"},
	{Code: "500229", Name: "城口县", Parent: "500000", Level: "COUNTY", Side: "WEST", Poverty832: true, KeyAssistance: true},
	{Code: "500238", Name: "巫溪县", Parent: "500000", Level: "COUNTY", Side: "WEST", Poverty832: true, KeyAssistance: true},
	{Code: "500242", Name: "酉阳土家族苗族自治县", Parent: "500000", Level: "COUNTY", Side: "WEST", Poverty832: true, KeyAssistance: true},
	{Code: "500243", Name: "彭水苗族土家族自治县", Parent: "500000", Level: "COUNTY", Side: "WEST", Poverty832: true, KeyAssistance: true},

	// ---------------- 四川省 ----------------
	{Code: "510000", Name: "四川省", Level: "PROVINCE", Side: "WEST"},
	{Code: "513400", Name: "凉山彝族自治州", Parent: "510000", Level: "CITY", Side: "WEST"},
	{Code: "513429", Name: "布拖县", Parent: "513400", Level: "COUNTY", Side: "WEST", Poverty832: true, KeyAssistance: true, ExitYear: 2020},
	{Code: "513430", Name: "金阳县", Parent: "513400", Level: "COUNTY", Side: "WEST", Poverty832: true, KeyAssistance: true, ExitYear: 2020},
	{Code: "513431", Name: "昭觉县", Parent: "513400", Level: "COUNTY", Side: "WEST", Poverty832: true, KeyAssistance: true, ExitYear: 2020},
	{Code: "513434", Name: "越西县", Parent: "513400", Level: "COUNTY", Side: "WEST", Poverty832: true, KeyAssistance: true, ExitYear: 2020},
	{Code: "513436", Name: "美姑县", Parent: "513400", Level: "COUNTY", Side: "WEST", Poverty832: true, KeyAssistance: true, ExitYear: 2020},

	// ---------------- 贵州省 ----------------
	{Code: "520000", Name: "贵州省", Level: "PROVINCE", Side: "WEST"},
	{Code: "520200", Name: "六盘水市", Parent: "520000", Level: "CITY", Side: "WEST"},
	{Code: "520203", Name: "六枝特区", Parent: "520200", Level: "COUNTY", Side: "WEST", Poverty832: true},
	{Code: "520204", Name: "水城区", Parent: "520200", Level: "COUNTY", Side: "WEST", Poverty832: true},
	{Code: "520281", Name: "盘州市", Parent: "520200", Level: "COUNTY", Side: "WEST", Poverty832: true},
	{Code: "520300", Name: "遵义市", Parent: "520000", Level: "CITY", Side: "WEST"},
	{Code: "520324", Name: "正安县", Parent: "520300", Level: "COUNTY", Side: "WEST", Poverty832: true},
	{Code: "520325", Name: "道真仡佬族苗族自治县", Parent: "520300", Level: "COUNTY", Side: "WEST", Poverty832: true},
	{Code: "520326", Name: "务川仡佬族苗族自治县", Parent: "520300", Level: "COUNTY", Side: "WEST", Poverty832: true},
	{Code: "520600", Name: "铜仁市", Parent: "520000", Level: "CITY", Side: "WEST"},
	{Code: "520623", Name: "石阡县", Parent: "520600", Level: "COUNTY", Side: "WEST", Poverty832: true},
	{Code: "520625", Name: "印江土家族苗族自治县", Parent: "520600", Level: "COUNTY", Side: "WEST", Poverty832: true},
	{Code: "520627", Name: "沿河土家族自治县", Parent: "520600", Level: "COUNTY", Side: "WEST", Poverty832: true, KeyAssistance: true, ExitYear: 2020},
	{Code: "520628", Name: "松桃苗族自治县", Parent: "520600", Level: "COUNTY", Side: "WEST", Poverty832: true},
	{Code: "522300", Name: "黔西南布依族苗族自治州", Parent: "520000", Level: "CITY", Side: "WEST"},
	{Code: "522324", Name: "晴隆县", Parent: "522300", Level: "COUNTY", Side: "WEST", Poverty832: true, ExitYear: 2020},
	{Code: "522326", Name: "望谟县", Parent: "522300", Level: "COUNTY", Side: "WEST", Poverty832: true, KeyAssistance: true, ExitYear: 2020},
	{Code: "522327", Name: "册亨县", Parent: "522300", Level: "COUNTY", Side: "WEST", Poverty832: true},
	{Code: "522600", Name: "黔东南苗族侗族自治州", Parent: "520000", Level: "CITY", Side: "WEST"},
	{Code: "522632", Name: "榕江县", Parent: "522600", Level: "COUNTY", Side: "WEST", Poverty832: true, KeyAssistance: true, ExitYear: 2020},
	{Code: "522633", Name: "从江县", Parent: "522600", Level: "COUNTY", Side: "WEST", Poverty832: true, KeyAssistance: true, ExitYear: 2020},
	{Code: "522634", Name: "雷山县", Parent: "522600", Level: "COUNTY", Side: "WEST", Poverty832: true},

	// ---------------- 云南省 ----------------
	{Code: "530000", Name: "云南省", Level: "PROVINCE", Side: "WEST"},
	{Code: "530600", Name: "昭通市", Parent: "530000", Level: "CITY", Side: "WEST"},
	{Code: "530627", Name: "镇雄县", Parent: "530600", Level: "COUNTY", Side: "WEST", Poverty832: true, KeyAssistance: true, ExitYear: 2020},
	{Code: "530800", Name: "普洱市", Parent: "530000", Level: "CITY", Side: "WEST"},
	{Code: "530823", Name: "景东彝族自治县", Parent: "530800", Level: "COUNTY", Side: "WEST", Poverty832: true},
	{Code: "530828", Name: "澜沧拉祜族自治县", Parent: "530800", Level: "COUNTY", Side: "WEST", Poverty832: true, ExitYear: 2020},
	{Code: "530900", Name: "临沧市", Parent: "530000", Level: "CITY", Side: "WEST"},
	{Code: "530924", Name: "镇康县", Parent: "530900", Level: "COUNTY", Side: "WEST", Poverty832: true},
	{Code: "532900", Name: "大理白族自治州", Parent: "530000", Level: "CITY", Side: "WEST"},
	{Code: "532925", Name: "弥渡县", Parent: "532900", Level: "COUNTY", Side: "WEST", Poverty832: true},
	{Code: "532926", Name: "南涧彝族自治县", Parent: "532900", Level: "COUNTY", Side: "WEST", Poverty832: true},
	{Code: "532928", Name: "永平县", Parent: "532900", Level: "COUNTY", Side: "WEST", Poverty832: true},
	{Code: "532929", Name: "云龙县", Parent: "532900", Level: "COUNTY", Side: "WEST", Poverty832: true},
	{Code: "532930", Name: "洱源县", Parent: "532900", Level: "COUNTY", Side: "WEST", Poverty832: true},
	{Code: "533300", Name: "怒江傈僳族自治州", Parent: "530000", Level: "CITY", Side: "WEST"},
	{Code: "533301", Name: "泸水市", Parent: "533300", Level: "COUNTY", Side: "WEST", Poverty832: true, ExitYear: 2020},
	{Code: "533323", Name: "福贡县", Parent: "533300", Level: "COUNTY", Side: "WEST", Poverty832: true, KeyAssistance: true, ExitYear: 2020},
	{Code: "533324", Name: "贡山独龙族怒族自治县", Parent: "533300", Level: "COUNTY", Side: "WEST", Poverty832: true},
	{Code: "533325", Name: "兰坪白族普米族自治县", Parent: "533300", Level: "COUNTY", Side: "WEST", Poverty832: true, KeyAssistance: true, ExitYear: 2020},

	// ---------------- 陕西省 ----------------
	{Code: "610000", Name: "陕西省", Level: "PROVINCE", Side: "WEST"},
	{Code: "610900", Name: "安康市", Parent: "610000", Level: "CITY", Side: "WEST"},
	{Code: "610924", Name: "紫阳县", Parent: "610900", Level: "COUNTY", Side: "WEST", Poverty832: true},
	{Code: "610925", Name: "岚皋县", Parent: "610900", Level: "COUNTY", Side: "WEST", Poverty832: true},
	{Code: "611000", Name: "商洛市", Parent: "610000", Level: "CITY", Side: "WEST"},
	{Code: "611024", Name: "山阳县", Parent: "611000", Level: "COUNTY", Side: "WEST", Poverty832: true},
	{Code: "611025", Name: "镇安县", Parent: "611000", Level: "COUNTY", Side: "WEST", Poverty832: true},
	{Code: "611026", Name: "柞水县", Parent: "611000", Level: "COUNTY", Side: "WEST", Poverty832: true},

	// ---------------- 甘肃省 ----------------
	{Code: "620000", Name: "甘肃省", Level: "PROVINCE", Side: "WEST"},
	{Code: "621100", Name: "定西市", Parent: "620000", Level: "CITY", Side: "WEST"},
	{Code: "621121", Name: "通渭县", Parent: "621100", Level: "COUNTY", Side: "WEST", Poverty832: true, ExitYear: 2020},
	{Code: "621126", Name: "岷县", Parent: "621100", Level: "COUNTY", Side: "WEST", Poverty832: true, ExitYear: 2020},
	{Code: "622900", Name: "临夏回族自治州", Parent: "620000", Level: "CITY", Side: "WEST"},
	{Code: "622921", Name: "临夏县", Parent: "622900", Level: "COUNTY", Side: "WEST", Poverty832: true, ExitYear: 2020},
	{Code: "622926", Name: "东乡族自治县", Parent: "622900", Level: "COUNTY", Side: "WEST", Poverty832: true, KeyAssistance: true, ExitYear: 2020},
	{Code: "622927", Name: "积石山保安族东乡族撒拉族自治县", Parent: "622900", Level: "COUNTY", Side: "WEST", Poverty832: true, KeyAssistance: true, ExitYear: 2020},

	// ---------------- 青海省 ----------------
	{Code: "630000", Name: "青海省", Level: "PROVINCE", Side: "WEST"},
	{Code: "630100", Name: "西宁市", Parent: "630000", Level: "CITY", Side: "WEST"},
	{Code: "630121", Name: "大通回族土族自治县", Parent: "630100", Level: "COUNTY", Side: "WEST", Poverty832: true},
	{Code: "630123", Name: "湟源县", Parent: "630100", Level: "COUNTY", Side: "WEST", Poverty832: true},
	{Code: "630200", Name: "海东市", Parent: "630000", Level: "CITY", Side: "WEST"},
	{Code: "630222", Name: "民和回族土族自治县", Parent: "630200", Level: "COUNTY", Side: "WEST", Poverty832: true},
	{Code: "630224", Name: "化隆回族自治县", Parent: "630200", Level: "COUNTY", Side: "WEST", Poverty832: true},
	{Code: "630225", Name: "循化撒拉族自治县", Parent: "630200", Level: "COUNTY", Side: "WEST", Poverty832: true},

	// ---------------- 宁夏回族自治区 ----------------
	{Code: "640000", Name: "宁夏回族自治区", Level: "PROVINCE", Side: "WEST"},
	{Code: "640400", Name: "固原市", Parent: "640000", Level: "CITY", Side: "WEST"},
	{Code: "640422", Name: "西吉县", Parent: "640400", Level: "COUNTY", Side: "WEST", Poverty832: true, KeyAssistance: true, ExitYear: 2020},
	{Code: "640423", Name: "隆德县", Parent: "640400", Level: "COUNTY", Side: "WEST", Poverty832: true},
	{Code: "640424", Name: "泾源县", Parent: "640400", Level: "COUNTY", Side: "WEST", Poverty832: true},
	{Code: "640425", Name: "彭阳县", Parent: "640400", Level: "COUNTY", Side: "WEST", Poverty832: true},
}

// PairingSeed is one east–west cooperation (东西部协作) pairing: the Helper
// (an eastern province or city) helps the Helped (a western province, city or
// prefecture) during the years From..To inclusive. Both codes are GB/T 2260.
type PairingSeed struct {
	Helper, Helped string
	From, To       int
}

// EastWestPairings lists the 2016 (2016–2020) and 2021 (2021–2025)
// east–west pairing arrangements, referencing GB/T 2260 codes in Regions.
var EastWestPairings = []PairingSeed{
	// 2016 arrangement (东西部扶贫协作结对关系, 2016 调整)
	{Helper: "110000", Helped: "150000", From: 2016, To: 2020}, // 北京 → 内蒙古
	{Helper: "110000", Helped: "130700", From: 2016, To: 2020}, // 北京 → 张家口
	{Helper: "110000", Helped: "130600", From: 2016, To: 2020}, // 北京 → 保定
	{Helper: "120000", Helped: "620000", From: 2016, To: 2020}, // 天津 → 甘肃
	{Helper: "120000", Helped: "130800", From: 2016, To: 2020}, // 天津 → 承德
	{Helper: "210200", Helped: "520200", From: 2016, To: 2020}, // 大连 → 六盘水
	{Helper: "310000", Helped: "530000", From: 2016, To: 2020}, // 上海 → 云南
	{Helper: "310000", Helped: "520300", From: 2016, To: 2020}, // 上海 → 遵义
	{Helper: "320000", Helped: "610000", From: 2016, To: 2020}, // 江苏 → 陕西
	{Helper: "320000", Helped: "630100", From: 2016, To: 2020}, // 江苏 → 西宁
	{Helper: "320000", Helped: "630200", From: 2016, To: 2020}, // 江苏 → 海东
	{Helper: "320500", Helped: "520600", From: 2016, To: 2020}, // 苏州 → 铜仁
	{Helper: "330000", Helped: "510000", From: 2016, To: 2020}, // 浙江 → 四川
	{Helper: "330100", Helped: "422800", From: 2016, To: 2020}, // 杭州 → 恩施州
	{Helper: "330100", Helped: "522600", From: 2016, To: 2020}, // 杭州 → 黔东南州
	{Helper: "330200", Helped: "222400", From: 2016, To: 2020}, // 宁波 → 延边州
	{Helper: "330200", Helped: "522300", From: 2016, To: 2020}, // 宁波 → 黔西南州
	{Helper: "350000", Helped: "640000", From: 2016, To: 2020}, // 福建 → 宁夏
	{Helper: "350100", Helped: "621100", From: 2016, To: 2020}, // 福州 → 定西
	{Helper: "350200", Helped: "622900", From: 2016, To: 2020}, // 厦门 → 临夏州
	{Helper: "370000", Helped: "500000", From: 2016, To: 2020}, // 山东 → 重庆
	{Helper: "440000", Helped: "450000", From: 2016, To: 2020}, // 广东 → 广西

	// 2021 arrangement (东西部协作结对关系, 2021 调整)
	{Helper: "110000", Helped: "150000", From: 2021, To: 2025}, // 北京 → 内蒙古
	{Helper: "120000", Helped: "620000", From: 2021, To: 2025}, // 天津 → 甘肃
	{Helper: "310000", Helped: "530000", From: 2021, To: 2025}, // 上海 → 云南
	{Helper: "320000", Helped: "610000", From: 2021, To: 2025}, // 江苏 → 陕西
	{Helper: "320000", Helped: "630000", From: 2021, To: 2025}, // 江苏 → 青海
	{Helper: "330000", Helped: "510000", From: 2021, To: 2025}, // 浙江 → 四川
	{Helper: "350000", Helped: "640000", From: 2021, To: 2025}, // 福建 → 宁夏
	{Helper: "370000", Helped: "500000", From: 2021, To: 2025}, // 山东 → 重庆
	{Helper: "370000", Helped: "620000", From: 2021, To: 2025}, // 山东 → 甘肃
	{Helper: "440000", Helped: "450000", From: 2021, To: 2025}, // 广东 → 广西
	{Helper: "440000", Helped: "520000", From: 2021, To: 2025}, // 广东 → 贵州
}

// DesignatedSeed is one central unit doing designated assistance (定点帮扶)
// and the GB/T 2260 codes of the counties it is assigned to.
type DesignatedSeed struct {
	Unit     string
	Counties []string
}

// DesignatedUnits lists 教育部直属高校 designated-assistance assignments in
// 云南省; county codes are GB/T 2260 and all appear in Regions.
var DesignatedUnits = []DesignatedSeed{
	{Unit: "清华大学", Counties: []string{"532926"}},   // 南涧彝族自治县
	{Unit: "北京大学", Counties: []string{"532925"}},   // 弥渡县
	{Unit: "中国人民大学", Counties: []string{"533325"}}, // 兰坪白族普米族自治县
	{Unit: "复旦大学", Counties: []string{"532928"}},   // 永平县
	{Unit: "上海交通大学", Counties: []string{"532930"}}, // 洱源县
	{Unit: "浙江大学", Counties: []string{"530823"}},   // 景东彝族自治县
	{Unit: "同济大学", Counties: []string{"532929"}},   // 云龙县
	{Unit: "中国农业大学", Counties: []string{"530924"}}, // 镇康县
}
