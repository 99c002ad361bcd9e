// placeholder so the area library has a source; removed when the area lands
namespace mecguard { int gen_area_placeholder = 0; }
