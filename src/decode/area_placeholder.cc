// placeholder so the area library has a source; removed when the area lands
namespace mecguard { int decode_area_placeholder = 0; }
