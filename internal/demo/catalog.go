package demo

// productSeed is a typical poverty-area product of a province, used to give
// each demo supplier a believable catalog.
type productSeed struct {
	Name, Category, Spec, Unit string
	PriceFen                   int64
}

// productsByProvince maps a 2-digit province code prefix to local products.
var productsByProvince = map[string][]productSeed{
	"13": {{"大枣", "FRUIT_VEGETABLE", "1kg/袋", "袋", 3900}, {"莜面", "GRAIN_OIL", "2.5kg/袋", "袋", 3500}, {"马铃薯", "FRUIT_VEGETABLE", "10kg/箱", "箱", 3200}, {"山楂干", "PROCESSED_FOOD", "500g/袋", "袋", 2800}},
	"15": {{"风干牛肉干", "MEAT_EGG_DAIRY", "500g/袋", "袋", 9800}, {"燕麦米", "GRAIN_OIL", "2.5kg/袋", "袋", 3900}, {"奶酪", "MEAT_EGG_DAIRY", "400g/盒", "盒", 5800}},
	"22": {{"大米", "GRAIN_OIL", "5kg/袋", "袋", 6900}, {"黑木耳", "FUNGI_NUTS", "250g/袋", "袋", 4200}, {"辣白菜", "PROCESSED_FOOD", "1kg/桶", "桶", 3600}},
	"42": {{"玉露茶", "TEA_BEVERAGE", "100g/盒", "盒", 16800}, {"富硒土豆", "FRUIT_VEGETABLE", "5kg/箱", "箱", 3900}, {"土家腊肉", "MEAT_EGG_DAIRY", "500g/袋", "袋", 7800}},
	"45": {{"百香果", "FRUIT_VEGETABLE", "3kg/箱", "箱", 4580}, {"土鸡", "MEAT_EGG_DAIRY", "1只约1.5kg", "只", 13800}, {"山羊肉", "MEAT_EGG_DAIRY", "1kg/袋", "袋", 11800}},
	"50": {{"老腊肉", "MEAT_EGG_DAIRY", "500g/袋", "袋", 7800}, {"茶油", "GRAIN_OIL", "1L/瓶", "瓶", 12800}, {"洋芋", "FRUIT_VEGETABLE", "10kg/箱", "箱", 3300}},
	"51": {{"苦荞茶", "TEA_BEVERAGE", "500g/罐", "罐", 3800}, {"马铃薯", "FRUIT_VEGETABLE", "10kg/箱", "箱", 3500}, {"丑苹果", "FRUIT_VEGETABLE", "5kg/箱", "箱", 6900}, {"黑山羊肉", "MEAT_EGG_DAIRY", "1kg/袋", "袋", 12800}},
	"52": {{"刺梨原汁", "TEA_BEVERAGE", "250ml×12瓶/箱", "箱", 9800}, {"腊肉", "MEAT_EGG_DAIRY", "500g/袋", "袋", 6800}, {"红心猕猴桃", "FRUIT_VEGETABLE", "2.5kg/箱", "箱", 5980}, {"绿壳鸡蛋", "MEAT_EGG_DAIRY", "30枚/盒", "盒", 4500}, {"苗绣香囊", "HANDICRAFT", "1个", "个", 3800}},
	"53": {{"普洱生茶", "TEA_BEVERAGE", "357g/饼", "饼", 16800}, {"草果", "SPICES_DRIED", "500g/袋", "袋", 3900}, {"核桃", "FUNGI_NUTS", "1kg/袋", "袋", 4500}, {"野生菌干片", "FUNGI_NUTS", "250g/袋", "袋", 6800}, {"小粒咖啡", "TEA_BEVERAGE", "500g/袋", "袋", 8800}},
	"61": {{"富硒茶", "TEA_BEVERAGE", "250g/盒", "盒", 12800}, {"核桃", "FUNGI_NUTS", "1kg/袋", "袋", 4800}, {"木耳", "FUNGI_NUTS", "250g/袋", "袋", 3900}},
	"62": {{"马铃薯粉条", "PROCESSED_FOOD", "2.5kg/袋", "袋", 4200}, {"当归", "SPICES_DRIED", "250g/袋", "袋", 5800}, {"手抓羊肉", "MEAT_EGG_DAIRY", "1kg/袋", "袋", 12800}, {"小米", "GRAIN_OIL", "2.5kg/袋", "袋", 3300}},
	"63": {{"牦牛肉干", "MEAT_EGG_DAIRY", "250g/袋", "袋", 8800}, {"青稞面", "GRAIN_OIL", "2.5kg/袋", "袋", 3600}, {"黑枸杞", "FUNGI_NUTS", "250g/罐", "罐", 9800}},
	"64": {{"枸杞", "FUNGI_NUTS", "500g/袋", "袋", 6800}, {"滩羊肉", "MEAT_EGG_DAIRY", "2kg/箱", "箱", 25800}, {"马铃薯", "FRUIT_VEGETABLE", "10kg/箱", "箱", 3200}},
}

// designatedSeat is where each central unit is registered.
var designatedSeat = map[string]string{
	"清华大学":   "110000",
	"北京大学":   "110000",
	"中国人民大学": "110000",
	"中国农业大学": "110000",
	"复旦大学":   "310000",
	"上海交通大学": "310000",
	"同济大学":   "310000",
	"浙江大学":   "330100",
}

// surnames give synthetic household members recognisable, obviously fake names.
var surnames = []string{"张", "王", "李", "赵", "刘", "陈", "杨", "黄", "吴", "周", "马", "罗"}

var causes = []string{
	"ILLNESS", "DISABILITY", "SCHOOLING", "DISASTER", "LACK_OF_LAND", "LACK_OF_WATER",
	"LACK_OF_SKILLS", "LACK_OF_LABOR", "LACK_OF_FUNDS", "POOR_TRANSPORT", "LACK_OF_MOTIVATION", "OTHER",
}
