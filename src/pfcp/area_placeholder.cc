// placeholder so the area library has a source; removed when the area lands
namespace mecguard { int pfcp_area_placeholder = 0; }
