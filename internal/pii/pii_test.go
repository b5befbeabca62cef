package pii

import "testing"

func TestMasks(t *testing.T) {
	tests := []struct{ got, want string }{
		{MaskName("张三丰"), "张**"},
		{MaskName("李"), "李"},
		{MaskName(""), ""},
		{MaskIDNumber("510102199001011234"), "5101**********1234"},
		{MaskIDNumber("1234"), "****"},
		{MaskPhone("13812341234"), "138****1234"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestHashIDNumberIsKeyedAndNormalized(t *testing.T) {
	a := HashIDNumber("51010219900101123x")
	if a != HashIDNumber(" 51010219900101123X ") {
		t.Fatal("normalization differs")
	}
	SetKey([]byte("another key"))
	defer SetKey([]byte("bangfu-development-pii-key"))
	if HashIDNumber("51010219900101123X") == a {
		t.Fatal("hash does not depend on the key")
	}
}
